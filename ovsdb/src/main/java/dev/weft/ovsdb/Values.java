package dev.weft.ovsdb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** OVSDB's JSON notation for values (RFC 7047 5.1): uuids, named uuids, sets and maps, both ways. */
public final class Values {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private Values() {
    }

    public static JsonNode string(String s) {
        return TextNode.valueOf(s);
    }

    public static ArrayNode uuid(String uuid) {
        return F.arrayNode().add("uuid").add(uuid);
    }

    public static ArrayNode namedUuid(String name) {
        return F.arrayNode().add("named-uuid").add(name);
    }

    /** ["set", [...]] of the given atoms (an empty set is how an optional column is cleared). */
    public static ArrayNode set(Collection<? extends JsonNode> atoms) {
        ArrayNode items = F.arrayNode();
        atoms.forEach(items::add);
        return F.arrayNode().add("set").add(items);
    }

    public static ArrayNode map(Map<String, String> pairs) {
        ArrayNode items = F.arrayNode();
        pairs.forEach((k, v) -> items.add(F.arrayNode().add(k).add(v)));
        return F.arrayNode().add("map").add(items);
    }

    /** The text uuid of a ["uuid", ...] value. */
    public static String uuidOf(JsonNode value) {
        if (!value.isArray() || value.size() != 2 || !"uuid".equals(value.get(0).asText())) {
            throw new IllegalArgumentException("not an OVSDB uuid: " + value);
        }
        return value.get(1).asText();
    }

    /** The members of a set column; a single atom is a set of one (RFC 7047's shorthand). */
    public static List<JsonNode> setOf(JsonNode value) {
        List<JsonNode> out = new ArrayList<>();
        if (value == null || value.isNull() || value.isMissingNode()) {
            return out;
        }
        if (value.isArray() && value.size() == 2 && "set".equals(value.get(0).asText())) {
            value.get(1).forEach(out::add);
        } else {
            out.add(value);
        }
        return out;
    }

    /** A map column of strings to strings. */
    public static Map<String, String> mapOf(JsonNode value) {
        Map<String, String> out = new LinkedHashMap<>();
        if (value == null || value.isNull() || value.isMissingNode()) {
            return out;
        }
        if (!value.isArray() || value.size() != 2 || !"map".equals(value.get(0).asText())) {
            throw new IllegalArgumentException("not an OVSDB map: " + value);
        }
        value.get(1).forEach(pair -> out.put(pair.get(0).asText(), pair.get(1).asText()));
        return out;
    }
}
