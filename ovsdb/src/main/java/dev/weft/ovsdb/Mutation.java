package dev.weft.ovsdb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/** One mutation: {@code [column, mutator, value]} (RFC 7047 5.1), e.g. insert a port into a bridge's set. */
public record Mutation(String column, String mutator, JsonNode value) {

    public static Mutation insert(String column, JsonNode value) {
        return new Mutation(column, "insert", value);
    }

    public static Mutation delete(String column, JsonNode value) {
        return new Mutation(column, "delete", value);
    }

    ArrayNode toJson() {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        return a.add(column).add(mutator).add(value);
    }
}
