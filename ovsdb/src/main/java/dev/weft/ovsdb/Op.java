package dev.weft.ovsdb;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/** The database operations of a transaction (RFC 7047 5.2). Rows are JSON objects of column to value. */
public sealed interface Op {

    /** Inserts a row; {@code uuidName} (may be null) lets later operations refer to it as ["named-uuid", name]. */
    record Insert(String table, ObjectNode row, String uuidName) implements Op {
        @Override
        public ObjectNode toJson() {
            ObjectNode o = base("insert", table).set("row", row);
            if (uuidName != null) {
                o.put("uuid-name", uuidName);
            }
            return o;
        }
    }

    /** Selects rows; {@code columns} null means every column. */
    record Select(String table, List<Condition> where, List<String> columns) implements Op {
        @Override
        public ObjectNode toJson() {
            ObjectNode o = base("select", table).set("where", conditions(where));
            if (columns != null) {
                o.set("columns", strings(columns));
            }
            return o;
        }
    }

    record Update(String table, List<Condition> where, ObjectNode row) implements Op {
        @Override
        public ObjectNode toJson() {
            return base("update", table).<ObjectNode>set("where", conditions(where)).set("row", row);
        }
    }

    record Mutate(String table, List<Condition> where, List<Mutation> mutations) implements Op {
        @Override
        public ObjectNode toJson() {
            ArrayNode m = JsonNodeFactory.instance.arrayNode();
            mutations.forEach(x -> m.add(x.toJson()));
            return base("mutate", table).<ObjectNode>set("where", conditions(where)).set("mutations", m);
        }
    }

    record Delete(String table, List<Condition> where) implements Op {
        @Override
        public ObjectNode toJson() {
            return base("delete", table).set("where", conditions(where));
        }
    }

    /**
     * Waits until the rows selected by {@code where}, projected on {@code columns}, are ({@code equal}
     * true) or are not ({@code equal} false) exactly {@code rows}; timeout in ms, 0 = check once.
     * With timeout 0 this is a precondition: the transaction aborts ("timed out") when it fails.
     */
    record Wait(String table, List<Condition> where, List<String> columns, boolean equal, List<ObjectNode> rows,
                int timeout) implements Op {
        @Override
        public ObjectNode toJson() {
            ArrayNode r = JsonNodeFactory.instance.arrayNode();
            rows.forEach(r::add);
            return base("wait", table).put("timeout", timeout).<ObjectNode>set("where", conditions(where))
                    .<ObjectNode>set("columns", strings(columns)).put("until", equal ? "==" : "!=").set("rows", r);
        }
    }

    /** A comment logged by the server with the transaction. */
    record Comment(String comment) implements Op {
        @Override
        public ObjectNode toJson() {
            return JsonNodeFactory.instance.objectNode().put("op", "comment").put("comment", comment);
        }
    }

    ObjectNode toJson();

    private static ObjectNode base(String op, String table) {
        return JsonNodeFactory.instance.objectNode().put("op", op).put("table", table);
    }

    private static ArrayNode conditions(List<Condition> where) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        where.forEach(c -> a.add(c.toJson()));
        return a;
    }

    private static ArrayNode strings(List<String> values) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        values.forEach(a::add);
        return a;
    }
}
