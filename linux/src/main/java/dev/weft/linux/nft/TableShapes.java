package dev.weft.linux.nft;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The shape of tables, counted: each chain with its number of rules, each set or map with its
 * number of elements. One context folds every batch it applied into the shapes its tables must
 * have if nobody else touched them, and compares them with what the kernel lists: a deleted
 * table, chain, set, rule or element shows as a difference. (Counts, not contents: a rule that
 * someone replaced by another goes unnoticed, which deletion notifications never cause.)
 */
final class TableShapes {
    /** One table: chain name to rule count, set or map name to element count. */
    record Shape(Map<String, Integer> chains, Map<String, Integer> sets) {
        Shape() {
            this(new HashMap<>(), new HashMap<>());
        }
    }

    private final Map<NftBatch.TableRef, Shape> tables = new LinkedHashMap<>();

    /** The tables a batch created and not deleted since, with their expected shape. */
    Map<NftBatch.TableRef, Shape> expected() {
        return tables;
    }

    /** Folds the commands of an applied batch ({"nftables": [{verb: {object: {...}}}, ...]}). */
    void fold(JsonNode batch) {
        for (JsonNode command : batch.path("nftables")) {
            String verb = command.fieldNames().next();
            JsonNode body = command.get(verb);
            String object = body.fieldNames().next();
            fold(verb, object, body.get(object));
        }
    }

    private void fold(String verb, String object, JsonNode o) {
        String family = o.path("family").asText();
        if (object.equals("table")) {
            NftBatch.TableRef ref = new NftBatch.TableRef(family, o.path("name").asText());
            switch (verb) {
                case "add", "create" -> tables.putIfAbsent(ref, new Shape());
                case "delete", "destroy" -> tables.remove(ref);
                case "flush" -> {
                    Shape s = tables.get(ref);
                    if (s != null) {
                        s.chains().replaceAll((k, v) -> 0);
                        s.sets().replaceAll((k, v) -> 0);
                    }
                }
                default -> { }
            }
            return;
        }
        Shape s = tables.get(new NftBatch.TableRef(family, o.path("table").asText()));
        if (s == null) {
            return; // a table this context did not make: not followed
        }
        String name = o.path("name").asText();
        int elements = o.path("elem").size();
        switch (object) {
            case "chain" -> change(s.chains(), verb, name, 0);
            case "set", "map" -> change(s.sets(), verb, name, elements);
            case "rule" -> {
                if (verb.equals("add") || verb.equals("insert")) {
                    s.chains().merge(o.path("chain").asText(), 1, Integer::sum);
                } else if (verb.equals("delete")) {
                    s.chains().merge(o.path("chain").asText(), -1, Integer::sum);
                }
            }
            case "element" -> {
                if (verb.equals("add") || verb.equals("create")) {
                    s.sets().merge(name, elements, Integer::sum);
                } else if (verb.equals("delete") || verb.equals("destroy")) {
                    s.sets().merge(name, -elements, Integer::sum);
                }
            }
            default -> { }
        }
    }

    private static void change(Map<String, Integer> counts, String verb, String name, int initial) {
        switch (verb) {
            case "add", "create" -> counts.putIfAbsent(name, initial);
            case "delete", "destroy" -> counts.remove(name);
            case "flush" -> counts.replace(name, 0);
            default -> { }
        }
    }

    /** The shape of a table as libnftables lists it (the "nftables" array of {@code list table}). */
    static Shape listed(JsonNode listing) {
        Shape s = new Shape();
        for (JsonNode item : listing) {
            if (item.has("chain")) {
                s.chains().putIfAbsent(item.get("chain").path("name").asText(), 0);
            } else if (item.has("rule")) {
                s.chains().merge(item.get("rule").path("chain").asText(), 1, Integer::sum);
            } else if (item.has("set") || item.has("map")) {
                JsonNode set = item.has("set") ? item.get("set") : item.get("map");
                s.sets().put(set.path("name").asText(), set.path("elem").size());
            }
        }
        return s;
    }
}
