package dev.weft.ovsdb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/** One clause of a "where": {@code [column, function, value]} (RFC 7047 5.1). */
public record Condition(String column, String function, JsonNode value) {

    public static Condition eq(String column, JsonNode value) {
        return new Condition(column, "==", value);
    }

    public static Condition eq(String column, String value) {
        return eq(column, Values.string(value));
    }

    /** Rows whose map column holds {@code key=value} ("includes" on a one-pair map). */
    public static Condition includesPair(String column, String key, String value) {
        return new Condition(column, "includes", Values.map(java.util.Map.of(key, value)));
    }

    public static Condition uuid(String uuid) {
        return eq("_uuid", Values.uuid(uuid));
    }

    ArrayNode toJson() {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        return a.add(column).add(function).add(value);
    }
}
