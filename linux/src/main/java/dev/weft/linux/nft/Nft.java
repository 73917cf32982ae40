package dev.weft.linux.nft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Rule expressions in libnftables' JSON form, the few a container network engine uses. Values
 * are JSON nodes so they compose: {@code match(payload("ip", "saddr"), "==", prefix("192.0.2.0", 24))}.
 */
public final class Nft {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private Nft() {
    }

    /** {@code left op right}; op is "==", "!=", "in", ... */
    public static JsonNode match(JsonNode left, String op, JsonNode right) {
        ObjectNode m = F.objectNode();
        m.putObject("match").put("op", op).set("left", left);
        ((ObjectNode) m.get("match")).set("right", right);
        return m;
    }

    /** A packet header field: payload("ip", "saddr"), payload("tcp", "dport"). */
    public static JsonNode payload(String protocol, String field) {
        ObjectNode o = F.objectNode();
        o.putObject("payload").put("protocol", protocol).put("field", field);
        return o;
    }

    /** Packet metadata: meta("iifname"), meta("oifname"), meta("l4proto"), meta("nfproto"). */
    public static JsonNode meta(String key) {
        ObjectNode o = F.objectNode();
        o.putObject("meta").put("key", key);
        return o;
    }

    /** Connection tracking: ct("state"), ct("status"). */
    public static JsonNode ct(String key) {
        ObjectNode o = F.objectNode();
        o.putObject("ct").put("key", key);
        return o;
    }

    /** The fib expression: fib(["daddr"], "type") for "fib daddr type". */
    public static JsonNode fib(String[] flags, String result) {
        ObjectNode o = F.objectNode();
        ObjectNode fib = o.putObject("fib").put("result", result);
        ArrayNode a = fib.putArray("flags");
        for (String f : flags) {
            a.add(f);
        }
        return o;
    }

    public static JsonNode value(String v) {
        return F.textNode(v);
    }

    public static JsonNode value(long v) {
        return F.numberNode(v);
    }

    /** An address prefix: 192.0.2.0/24. */
    public static JsonNode prefix(String address, int length) {
        ObjectNode o = F.objectNode();
        o.putObject("prefix").put("addr", address).put("len", length);
        return o;
    }

    /** A set of values or a named set ("@name"). */
    public static JsonNode set(String... values) {
        if (values.length == 1 && values[0].startsWith("@")) {
            return F.textNode(values[0]);
        }
        ArrayNode a = F.arrayNode();
        for (String v : values) {
            a.add(v);
        }
        ObjectNode o = F.objectNode();
        o.set("set", a);
        return o;
    }

    /** A concatenation of expressions or values (tcp . 8080). */
    public static JsonNode concat(JsonNode... parts) {
        ArrayNode a = F.arrayNode();
        for (JsonNode p : parts) {
            a.add(p);
        }
        ObjectNode o = F.objectNode();
        o.set("concat", a);
        return o;
    }

    /** A map lookup: {@code key map @name}. */
    public static JsonNode mapLookup(JsonNode key, String mapName) {
        return lookup("map", key, mapName);
    }

    /** A verdict map lookup: {@code key vmap @name} (the element's verdict is the rule's). */
    public static JsonNode vmapLookup(JsonNode key, String mapName) {
        return lookup("vmap", key, mapName);
    }

    private static JsonNode lookup(String kind, JsonNode key, String mapName) {
        ObjectNode o = F.objectNode();
        ObjectNode m = o.putObject(kind);
        m.set("key", key);
        m.put("data", "@" + mapName);
        return o;
    }

    /** {@code numgen inc mod N}: 0, 1, ... N-1, 0, ... one number per packet that reaches it. */
    public static JsonNode numgenInc(int modulus) {
        ObjectNode o = F.objectNode();
        o.putObject("numgen").put("mode", "inc").put("mod", modulus).put("offset", 0);
        return o;
    }

    /** The statement {@code meta KEY set VALUE} (such as the packet mark). */
    public static JsonNode setMeta(String key, JsonNode value) {
        ObjectNode o = F.objectNode();
        ObjectNode m = o.putObject("mangle");
        m.set("key", meta(key));
        m.set("value", value);
        return o;
    }

    /** A map element: key : value. */
    public static JsonNode mapping(JsonNode key, JsonNode value) {
        ArrayNode a = F.arrayNode();
        a.add(key);
        a.add(value);
        return a;
    }

    public static JsonNode counter() {
        ObjectNode o = F.objectNode();
        o.putNull("counter");
        return o;
    }

    public static JsonNode accept() {
        return verdict("accept");
    }

    public static JsonNode drop() {
        return verdict("drop");
    }

    public static JsonNode ret() {
        return verdict("return");
    }

    public static JsonNode jump(String chain) {
        ObjectNode o = F.objectNode();
        o.putObject("jump").put("target", chain);
        return o;
    }

    private static JsonNode verdict(String v) {
        ObjectNode o = F.objectNode();
        o.putNull(v);
        return o;
    }

    public static JsonNode masquerade() {
        ObjectNode o = F.objectNode();
        o.putNull("masquerade");
        return o;
    }

    /** dnat to {@code addr} (an address, or a map lookup) and {@code port} (a number, a lookup, or null). */
    public static JsonNode dnat(String family, JsonNode addr, JsonNode port) {
        ObjectNode o = F.objectNode();
        ObjectNode d = o.putObject("dnat");
        d.set("addr", addr);
        if (port != null) {
            d.set("port", port);
        }
        if (family != null) {
            d.put("family", family);
        }
        return o;
    }
}
