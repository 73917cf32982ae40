package dev.weft.daemon.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.net.IpPrefix;

import java.net.InetAddress;

/** Reading the fields of a plugin request, each wrong one a 400 that names it. */
final class RequestFields {
    private RequestFields() {
    }

    /** The string {@code field}, "" when absent or null; any other type is refused. */
    static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return "";
        }
        if (!v.isTextual()) {
            throw PluginException.badRequest("field " + field + ": expected a string, got " + v);
        }
        return v.asText();
    }

    /** The non-empty string {@code field}. */
    static String required(JsonNode node, String field) {
        String s = text(node, field);
        if (s.isEmpty()) {
            throw PluginException.badRequest("the request needs a " + field);
        }
        return s;
    }

    static boolean bool(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw PluginException.badRequest("field " + field + ": expected true or false, got " + v);
        }
        return v.asBoolean();
    }

    /** The CIDR in {@code field} (an address with its prefix length), or null when empty. */
    static IpPrefix prefix(JsonNode node, String field) {
        String s = text(node, field);
        if (s.isEmpty()) {
            return null;
        }
        try {
            return IpPrefix.parse(s);
        } catch (IllegalArgumentException e) {
            throw PluginException.badRequest("field " + field + ": \"" + s + "\" is not an address/length: " + e.getMessage());
        }
    }

    /** An address, bare or in CIDR form (the prefix length is dropped). */
    static InetAddress address(String s, String field) {
        try {
            return s.contains("/") ? IpPrefix.parse(s).address() : IpPrefix.parseAddress(s);
        } catch (IllegalArgumentException e) {
            throw PluginException.badRequest("field " + field + ": \"" + s + "\" is not an IP address: " + e.getMessage());
        }
    }
}
