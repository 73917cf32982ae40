package dev.weft.engine.internal;

import dev.weft.engine.WeftException;
import dev.weft.engine.ipam.DefaultIpam;
import dev.weft.engine.ipam.Ipam;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/** The address managers by name: weft's own for none, else IPAM plugins, each looked up once. */
final class Ipams {
    private final DefaultIpam weft;
    private final Function<String, Ipam> plugins;
    private final Map<String, Ipam> found = new HashMap<>();

    Ipams(DefaultIpam weft, Function<String, Ipam> plugins) {
        this.weft = weft;
        this.plugins = plugins;
    }

    DefaultIpam weft() {
        return weft;
    }

    /** The IPAM of a network: weft's own for null, else the IPAM plugin of that name. */
    synchronized Ipam forDriver(String driver) {
        if (driver == null) {
            return weft;
        }
        Ipam ipam = found.get(driver);
        if (ipam == null) {
            if (plugins == null) {
                throw WeftException.notFound("no IPAM driver \"" + driver + "\" (available: default)");
            }
            ipam = plugins.apply(driver);
            found.put(driver, ipam);
        }
        return ipam;
    }
}
