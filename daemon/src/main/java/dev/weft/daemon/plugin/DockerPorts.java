package dev.weft.daemon.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.engine.PortBinding;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The ports a container publishes ({@code docker run -p}), as Docker hands them to a network
 * driver: the CreateEndpoint option {@code com.docker.network.portmap}, a list of libnetwork's
 * {@code types.PortBinding} ({@code {"Proto": 6, "IP": "", "Port": 80, "HostIP": "",
 * "HostPort": 8080, "HostPortEnd": 8080}}; Proto 6 is TCP, 17 UDP). weft publishes each one
 * with the network's driver, as it does for its own containers. It does not choose host ports:
 * a binding without one ({@code -p 80}, {@code -P}) or with a range of them is refused.
 */
final class DockerPorts {
    static final String PORT_MAP = "com.docker.network.portmap";

    private DockerPorts() {
    }

    /** The bindings in {@code options}; an absent or null map is none. Docker's IPv4 and IPv6 wildcards are one binding. */
    static List<PortBinding> of(JsonNode options) {
        JsonNode list = options.path(PORT_MAP);
        if (list.isMissingNode() || list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw PluginException.badRequest("Options." + PORT_MAP + ": expected an array");
        }
        Set<PortBinding> out = new LinkedHashSet<>();
        for (JsonNode b : list) {
            out.add(binding(b));
        }
        return new ArrayList<>(out);
    }

    private static PortBinding binding(JsonNode b) {
        String where = "Options." + PORT_MAP + " entry " + b;
        if (!b.isObject()) {
            throw PluginException.badRequest(where + ": expected an object");
        }
        int proto = number(b, "Proto", where);
        String protocol = switch (proto) {
            case 6 -> "tcp";
            case 17 -> "udp";
            default -> throw PluginException.badRequest(where + ": weft publishes TCP (6) and UDP (17) ports, not protocol " + proto);
        };
        int port = number(b, "Port", where);
        int hostPort = number(b, "HostPort", where);
        int end = b.has("HostPortEnd") ? number(b, "HostPortEnd", where) : 0;
        if (hostPort == 0) {
            throw PluginException.badRequest("weft does not choose host ports: publish container port " + port
                    + " with one, such as -p 8080:" + port);
        }
        if (end != 0 && end != hostPort) {
            throw PluginException.badRequest("weft does not choose host ports: publish container port " + port
                    + " on one host port, not the range " + hostPort + "-" + end);
        }
        String ip = RequestFields.text(b, "HostIP");
        InetAddress hostIp = ip.isEmpty() ? null : RequestFields.address(ip, "HostIP");
        if (hostIp != null && hostIp.isAnyLocalAddress()) {
            hostIp = null; // 0.0.0.0 and ::, which Docker sends as two bindings, are both "any address"
        }
        try {
            return new PortBinding(protocol, hostIp, hostPort, port);
        } catch (RuntimeException e) {
            throw PluginException.badRequest(where + ": " + e.getMessage());
        }
    }

    private static int number(JsonNode b, String field, String where) {
        JsonNode v = b.get(field);
        if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
            throw PluginException.badRequest(where + ": \"" + field + "\" must be a number");
        }
        return v.asInt();
    }
}
