package dev.weft.daemon.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.net.IpPrefix;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * weft's plugin configuration, parsed once:
 * {@code {"cniVersion", "name", "type": "weft", "network", "driver", "subnet", "gateway", "ipRange",
 * "subnet6", "internal", "ipMasq", "mtu", "bridge", "parent", "options": {...}, "ipam": {...},
 * "dns": {...}}} plus what the runtime adds ({@code runtimeConfig}, {@code prevResult},
 * {@code cni.dev/valid-attachments}). {@code network} defaults to {@code name}, {@code driver} to
 * bridge. An {@code ipam} section with a {@code type} delegates addresses to that IPAM plugin.
 */
record CniConfig(String cniVersion, String name, String network, String driver, IpPrefix subnet, InetAddress gateway,
                 IpPrefix ipRange, IpPrefix subnet6, boolean internal, Map<String, String> options, String ipamType,
                 ObjectNode raw) {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> DRIVERS = Set.of("bridge", "overlay", "macvlan");

    /** Parses stdin: code 6 for bytes that are no JSON object, code 1 for a version weft does not speak, 7 for bad values. */
    static CniConfig parse(byte[] stdin, String command) {
        ObjectNode raw = decode(stdin);
        String version = raw.path("cniVersion").isTextual() ? raw.get("cniVersion").asText() : "0.1.0";
        CniVersion.check(version, command);
        String name = text(raw, "name");
        if (name == null || name.isEmpty()) {
            throw CniError.config("the configuration needs a \"name\"");
        }
        String type = text(raw, "type");
        if (type != null && !type.equals("weft")) {
            throw CniError.config("\"type\" is \"" + type + "\", but this is the weft plugin");
        }
        String network = text(raw, "network");
        String driver = text(raw, "driver");
        if (driver == null) {
            driver = "bridge";
        } else if (!DRIVERS.contains(driver)) {
            throw CniError.config("\"driver\" must be one of " + DRIVERS + ", not \"" + driver + "\"");
        }
        JsonNode ipam = raw.path("ipam");
        String ipamType = ipam.isObject() && ipam.path("type").isTextual() && !ipam.get("type").asText().isEmpty()
                ? ipam.get("type").asText() : null;
        return new CniConfig(version, name, network == null ? name : network, driver, prefix(raw, "subnet"),
                address(raw, "gateway"), prefix(raw, "ipRange"), prefix(raw, "subnet6"), bool(raw, "internal"),
                options(raw, driver), ipamType, raw);
    }

    private static ObjectNode decode(byte[] stdin) {
        if (stdin == null || stdin.length == 0) {
            throw new CniError(CniError.DECODING_FAILURE, "failed to decode the network configuration", "stdin is empty");
        }
        try {
            JsonNode n = JSON.readTree(stdin);
            if (n == null || !n.isObject()) {
                throw new CniError(CniError.DECODING_FAILURE, "failed to decode the network configuration",
                        "the configuration must be a JSON object");
            }
            return (ObjectNode) n;
        } catch (IOException e) {
            throw new CniError(CniError.DECODING_FAILURE, "failed to decode the network configuration",
                    e.getMessage().lines().findFirst().orElse(""));
        }
    }

    /** The driver options: "options" as given, with the shorthand fields mapped to Docker's keys. */
    private static Map<String, String> options(ObjectNode raw, String driver) {
        Map<String, String> out = new LinkedHashMap<>();
        JsonNode o = raw.path("options");
        if (!o.isMissingNode() && !o.isNull()) {
            if (!o.isObject()) {
                throw CniError.config("\"options\" must be an object of strings");
            }
            o.properties().forEach(e -> {
                if (!e.getValue().isValueNode()) {
                    throw CniError.config("options." + e.getKey() + " must be a string");
                }
                out.put(e.getKey(), e.getValue().asText());
            });
        }
        if (raw.has("ipMasq")) {
            out.put("com.docker.network.bridge.enable_ip_masquerade", Boolean.toString(bool(raw, "ipMasq")));
        }
        if (raw.has("mtu")) {
            JsonNode mtu = raw.get("mtu");
            if (!mtu.canConvertToInt() || mtu.asInt() < 68) {
                throw CniError.config("\"mtu\" must be a number of at least 68");
            }
            out.put("com.docker.network.driver.mtu", Integer.toString(mtu.asInt()));
        }
        String bridge = text(raw, "bridge");
        if (bridge != null) {
            out.put("com.docker.network.bridge.name", bridge);
        }
        String parent = text(raw, "parent");
        if (parent != null) {
            out.put("parent", parent);
        }
        if (driver.equals("macvlan") && !out.containsKey("parent")) {
            throw CniError.config("the macvlan driver needs \"parent\" (the host interface)");
        }
        return out;
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw CniError.config("\"" + field + "\" must be a string");
        }
        return v.asText();
    }

    private static boolean bool(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw CniError.config("\"" + field + "\" must be true or false");
        }
        return v.asBoolean();
    }

    private static IpPrefix prefix(JsonNode node, String field) {
        String s = text(node, field);
        if (s == null) {
            return null;
        }
        try {
            if (!s.contains("/")) {
                throw new IllegalArgumentException("needs a prefix length");
            }
            return IpPrefix.parse(s);
        } catch (IllegalArgumentException e) {
            throw CniError.config("\"" + field + "\": \"" + s + "\" is not a subnet like 198.51.100.0/24 (" + e.getMessage() + ")");
        }
    }

    private static InetAddress address(JsonNode node, String field) {
        String s = text(node, field);
        if (s == null) {
            return null;
        }
        try {
            return IpPrefix.parseAddress(s);
        } catch (IllegalArgumentException e) {
            throw CniError.config("\"" + field + "\": \"" + s + "\" is not an IP address");
        }
    }

    /** runtimeConfig (the capabilities the runtime filled in), or an empty node. */
    JsonNode runtimeConfig() {
        return raw.path("runtimeConfig");
    }

    /** The previous plugin's result in a chain, or null. */
    ObjectNode prevResult() {
        JsonNode p = raw.get("prevResult");
        return p != null && p.isObject() ? (ObjectNode) p : null;
    }

    /** GC's still valid attachments, as sandbox keys. */
    List<String> validAttachments() {
        JsonNode list = raw.path("cni.dev/valid-attachments");
        List<String> out = new ArrayList<>();
        if (list.isMissingNode() || list.isNull()) {
            return out;
        }
        if (!list.isArray()) {
            throw CniError.config("\"cni.dev/valid-attachments\" must be an array");
        }
        for (JsonNode a : list) {
            String id = text(a, "containerID");
            String ifname = text(a, "ifname");
            if (id == null || ifname == null) {
                throw CniError.config("each of \"cni.dev/valid-attachments\" needs \"containerID\" and \"ifname\"");
            }
            out.add(CniRequest.attachmentKey(id, ifname));
        }
        return out;
    }
}
