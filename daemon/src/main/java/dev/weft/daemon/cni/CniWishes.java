package dev.weft.daemon.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.engine.PortBinding;
import dev.weft.engine.WeftException;
import dev.weft.net.IpPrefix;
import dev.weft.net.MacAddress;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * What the runtime asks of the new endpoint: addresses from a delegated IPAM plugin's result, else
 * the {@code ips} capability, else CNI_ARGS {@code IP=}; a MAC from the {@code mac} capability or
 * CNI_ARGS {@code MAC=}; published ports from the {@code portMappings} capability.
 */
record CniWishes(InetAddress ipv4, InetAddress ipv6, MacAddress mac, List<PortBinding> ports) {

    static CniWishes of(CniRequest req, CniConfig cfg, ObjectNode delegated) {
        JsonNode rc = cfg.runtimeConfig();
        List<String> ips = new ArrayList<>();
        if (delegated != null) {
            delegated.path("ips").forEach(ip -> ips.add(ip.path("address").asText()));
        } else if (rc.path("ips").isArray()) {
            rc.get("ips").forEach(ip -> ips.add(ip.asText()));
        } else if (req.args().containsKey("IP")) {
            ips.addAll(List.of(req.args().get("IP").split(",")));
        }
        InetAddress v4 = null;
        InetAddress v6 = null;
        for (String ip : ips) {
            InetAddress a = address(ip);
            if (a instanceof java.net.Inet4Address) {
                v4 = v4 == null ? a : v4;
            } else {
                v6 = v6 == null ? a : v6;
            }
        }
        String mac = rc.path("mac").isTextual() ? rc.get("mac").asText() : req.args().get("MAC");
        MacAddress m;
        try {
            m = mac == null || mac.isEmpty() ? null : MacAddress.parse(mac);
        } catch (IllegalArgumentException e) {
            throw CniError.config("mac \"" + mac + "\" is not a MAC address");
        }
        return new CniWishes(v4, v6, m, ports(rc.path("portMappings")));
    }

    private static InetAddress address(String text) {
        try {
            return IpPrefix.parseAddress(text.contains("/") ? text.substring(0, text.indexOf('/')) : text);
        } catch (IllegalArgumentException e) {
            throw CniError.config("\"" + text + "\" is not an IP address");
        }
    }

    /** portMappings: [{"hostPort", "containerPort", "protocol", "hostIP"}]. */
    private static List<PortBinding> ports(JsonNode mappings) {
        List<PortBinding> out = new ArrayList<>();
        if (!mappings.isArray()) {
            return out;
        }
        for (JsonNode m : mappings) {
            if (!m.path("hostPort").canConvertToInt() || !m.path("containerPort").canConvertToInt()) {
                throw CniError.config("each portMappings entry needs a numeric hostPort and containerPort: " + m);
            }
            String hostIp = m.path("hostIP").asText("");
            try {
                out.add(new PortBinding(m.path("protocol").asText("tcp"), hostIp.isEmpty() ? null : address(hostIp),
                        m.get("hostPort").asInt(), m.get("containerPort").asInt()));
            } catch (WeftException e) {
                throw CniError.config("portMappings: " + e.getMessage());
            }
        }
        return out;
    }
}
