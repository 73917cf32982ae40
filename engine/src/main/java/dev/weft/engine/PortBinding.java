package dev.weft.engine;

import dev.weft.net.IpPrefix;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A published port: traffic to {@code hostIp:hostPort} (any host address when hostIp is null)
 * goes to the endpoint's {@code containerPort}. Parsed from Docker's -p forms, ranges included.
 */
public record PortBinding(String protocol, InetAddress hostIp, int hostPort, int containerPort) {
    public PortBinding {
        protocol = protocol == null ? "tcp" : protocol.toLowerCase(Locale.ROOT);
        if (!protocol.equals("tcp") && !protocol.equals("udp")) {
            throw WeftException.invalid("port protocol must be tcp or udp, not \"" + protocol + "\"");
        }
        checkPort(hostPort, "host");
        checkPort(containerPort, "container");
    }

    private static void checkPort(int port, String which) {
        if (port < 1 || port > 65535) {
            throw WeftException.invalid(which + " port " + port + " is out of range 1-65535");
        }
    }

    /**
     * Parses "[HOSTIP:]HOSTPORT[-END]:PORT[-END][/PROTO]": "8080:80", "127.0.0.1:8080:80/udp",
     * "8000-8002:80-82". A range maps port by port, so both sides must be equally long.
     */
    public static List<PortBinding> parse(String spec) {
        String s = spec.trim();
        String proto = "tcp";
        int slash = s.lastIndexOf('/');
        if (slash >= 0) {
            proto = s.substring(slash + 1);
            s = s.substring(0, slash);
        }
        int last = s.lastIndexOf(':');
        if (last < 0) {
            throw WeftException.invalid("invalid port binding \"" + spec + "\": expected HOSTPORT:PORT");
        }
        String container = s.substring(last + 1);
        String rest = s.substring(0, last);
        int hostColon = rest.lastIndexOf(':');
        InetAddress hostIp = null;
        String hostPorts = rest;
        if (hostColon >= 0) {
            String ip = rest.substring(0, hostColon).replace("[", "").replace("]", "");
            hostPorts = rest.substring(hostColon + 1);
            try {
                hostIp = ip.isEmpty() || ip.equals("0.0.0.0") ? null : IpPrefix.parseAddress(ip);
            } catch (IllegalArgumentException e) {
                throw WeftException.invalid("invalid host address in port binding \"" + spec + "\"");
            }
        }
        int[] h = range(hostPorts, spec);
        int[] c = range(container, spec);
        if (h[1] - h[0] != c[1] - c[0]) {
            throw WeftException.invalid("port binding \"" + spec + "\": host and container ranges differ in length");
        }
        List<PortBinding> out = new ArrayList<>();
        for (int i = 0; i <= h[1] - h[0]; i++) {
            out.add(new PortBinding(proto, hostIp, h[0] + i, c[0] + i));
        }
        return out;
    }

    private static int[] range(String text, String spec) {
        try {
            int dash = text.indexOf('-');
            int lo = Integer.parseInt(dash < 0 ? text : text.substring(0, dash));
            int hi = dash < 0 ? lo : Integer.parseInt(text.substring(dash + 1));
            if (hi < lo) {
                throw WeftException.invalid("port range \"" + text + "\" in \"" + spec + "\" ends before it starts");
            }
            return new int[] {lo, hi};
        } catch (NumberFormatException e) {
            throw WeftException.invalid("invalid port \"" + text + "\" in port binding \"" + spec + "\"");
        }
    }

    @Override
    public String toString() {
        String ip = hostIp == null ? "" : hostIp instanceof java.net.Inet6Address ? "[" + IpPrefix.format(hostIp) + "]:"
                : IpPrefix.format(hostIp) + ":";
        return ip + hostPort + ":" + containerPort + "/" + protocol;
    }
}
