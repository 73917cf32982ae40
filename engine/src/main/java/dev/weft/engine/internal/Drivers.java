package dev.weft.engine.internal;

import dev.weft.engine.WeftException;
import dev.weft.engine.driver.HostDriver;
import dev.weft.engine.driver.NetworkDriver;
import dev.weft.engine.driver.NullDriver;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The network drivers by name: the built-in ones, then network plugins, each looked up once. */
final class Drivers {
    private final Map<String, NetworkDriver> byName = new LinkedHashMap<>();
    private final Function<String, NetworkDriver> plugins;

    Drivers(List<NetworkDriver> configured, Function<String, NetworkDriver> plugins) {
        for (NetworkDriver d : List.of(new NullDriver(), new HostDriver())) {
            byName.put(d.name(), d);
        }
        for (NetworkDriver d : configured) {
            byName.put(d.name(), d);
        }
        this.plugins = plugins;
    }

    /** The driver called {@code name}: a built-in one, else a network plugin of that name, found once. */
    synchronized NetworkDriver get(String name) {
        NetworkDriver d = byName.get(name);
        if (d != null) {
            return d;
        }
        String available = "no network driver \"" + name + "\" (available: " + String.join(", ", byName.keySet()) + ")";
        if (plugins == null) {
            throw WeftException.notFound(available);
        }
        try {
            d = plugins.apply(name);
        } catch (WeftException e) {
            if (e.kind() != WeftException.Kind.NOT_FOUND) {
                throw e;
            }
            throw WeftException.notFound(available + ", and " + e.getMessage());
        }
        byName.put(name, d);
        return d;
    }

    synchronized List<String> names() {
        return List.copyOf(byName.keySet());
    }

    /** The drivers made or looked up so far. */
    synchronized List<NetworkDriver> all() {
        return List.copyOf(byName.values());
    }

    synchronized void closeAll() {
        byName.values().forEach(NetworkDriver::close);
    }
}
