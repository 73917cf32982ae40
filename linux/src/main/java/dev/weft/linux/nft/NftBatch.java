package dev.weft.linux.nft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Changes to apply in one transaction, in libnftables' JSON form. Build it, then hand it to
 * {@link Nftables#apply}. {@link #replaceTable} empties a table (creating it if needed) inside the
 * same transaction, so a table's whole content can be swapped atomically.
 */
public final class NftBatch {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A table named by family ("ip", "ip6", "inet", ...) and name. */
    public record TableRef(String family, String name) {
    }

    /** A base chain's hook: type ("filter", "nat"), hook ("prerouting", ...), priority, policy. */
    public record Hook(String type, String hook, int priority, String policy) {
        public static Hook filter(String hook, int priority, String policy) {
            return new Hook("filter", hook, priority, policy);
        }

        public static Hook nat(String hook, int priority) {
            return new Hook("nat", hook, priority, "accept");
        }
    }

    private final ArrayNode commands = JSON.createArrayNode();
    private final Set<TableRef> tables = new LinkedHashSet<>();
    private final List<String> summary = new ArrayList<>();

    private ObjectNode command(String verb, String object, String family, String table) {
        tables.add(new TableRef(family, table));
        ObjectNode o = commands.addObject().putObject(verb).putObject(object);
        o.put("family", family);
        if (object.equals("table")) {
            o.put("name", table);
        } else {
            o.put("table", table);
        }
        return o;
    }

    /** Creates the table if it is missing. */
    public NftBatch addTable(String family, String table) {
        command("add", "table", family, table);
        summary.add("add table " + family + " " + table);
        return this;
    }

    /** Creates the table empty, or empties it: everything added after this replaces its old content. */
    public NftBatch replaceTable(String family, String table) {
        command("add", "table", family, table);
        command("delete", "table", family, table);
        command("add", "table", family, table);
        summary.add("replace table " + family + " " + table);
        return this;
    }

    public NftBatch deleteTable(String family, String table) {
        command("delete", "table", family, table);
        summary.add("delete table " + family + " " + table);
        return this;
    }

    /** A regular chain (a jump target). */
    public NftBatch addChain(String family, String table, String chain) {
        command("add", "chain", family, table).put("name", chain);
        summary.add("add chain " + chain);
        return this;
    }

    /** A base chain attached to a hook. */
    public NftBatch addChain(String family, String table, String chain, Hook hook) {
        ObjectNode c = command("add", "chain", family, table).put("name", chain);
        c.put("type", hook.type()).put("hook", hook.hook()).put("prio", hook.priority()).put("policy", hook.policy());
        summary.add("add chain " + chain + " (" + hook.hook() + ")");
        return this;
    }

    /** Deletes an empty regular chain (flush it first in the same batch). */
    public NftBatch deleteChain(String family, String table, String chain) {
        command("delete", "chain", family, table).put("name", chain);
        summary.add("delete chain " + chain);
        return this;
    }

    /** Deletes a set or map that no rule refers to any more. */
    public NftBatch deleteMap(String family, String table, String name) {
        command("delete", "map", family, table).put("name", name);
        summary.add("delete map " + name);
        return this;
    }

    /** Removes every rule of a chain. */
    public NftBatch flushChain(String family, String table, String chain) {
        command("flush", "chain", family, table).put("name", chain);
        summary.add("flush chain " + chain);
        return this;
    }

    /** Appends a rule made of {@code expressions} (see {@link Nft}); {@code comment} may be null. */
    public NftBatch addRule(String family, String table, String chain, List<JsonNode> expressions, String comment) {
        ObjectNode r = command("add", "rule", family, table).put("chain", chain);
        r.putArray("expr").addAll(expressions);
        if (comment != null) {
            r.put("comment", comment);
        }
        summary.add("add rule to " + chain + (comment != null ? " (" + comment + ")" : ""));
        return this;
    }

    /** A set of {@code type} (one type, or several for a concatenation); {@code flags} such as "interval". */
    public NftBatch addSet(String family, String table, String name, List<String> type, List<String> flags) {
        ObjectNode s = command("add", "set", family, table).put("name", name);
        type(s, "type", type);
        if (!flags.isEmpty()) {
            flags.forEach(s.putArray("flags")::add);
        }
        summary.add("add set " + name);
        return this;
    }

    /** A map from {@code keyType} (one type or a concatenation) to values of {@code valueType}. */
    public NftBatch addMap(String family, String table, String name, List<String> keyType, String valueType,
                           List<String> flags) {
        ObjectNode m = command("add", "map", family, table).put("name", name);
        type(m, "type", keyType);
        m.put("map", valueType);
        if (!flags.isEmpty()) {
            flags.forEach(m.putArray("flags")::add);
        }
        summary.add("add map " + name);
        return this;
    }

    /** Adds elements to a set, or key/value pairs to a map (see {@link Nft#mapping}). */
    public NftBatch addElements(String family, String table, String setOrMap, List<JsonNode> elements) {
        command("add", "element", family, table).put("name", setOrMap).putArray("elem").addAll(elements);
        summary.add("add " + elements.size() + " element(s) to " + setOrMap);
        return this;
    }

    /** Deletes elements (for a map: the keys) from a set or map. */
    public NftBatch deleteElements(String family, String table, String setOrMap, List<JsonNode> elements) {
        command("delete", "element", family, table).put("name", setOrMap).putArray("elem").addAll(elements);
        summary.add("delete " + elements.size() + " element(s) from " + setOrMap);
        return this;
    }

    private static void type(ObjectNode o, String field, List<String> type) {
        if (type.size() == 1) {
            o.put(field, type.getFirst());
        } else {
            type.forEach(o.putArray(field)::add);
        }
    }

    public boolean isEmpty() {
        return commands.isEmpty();
    }

    Set<TableRef> tables() {
        return tables;
    }

    String describe() {
        return summary.size() <= 3 ? String.join(", ", summary)
                : String.join(", ", summary.subList(0, 3)) + " and " + (summary.size() - 3) + " more";
    }

    /** The batch as libnftables reads it: {"nftables": [...]}. */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.set("nftables", commands);
        return root.toString();
    }
}
