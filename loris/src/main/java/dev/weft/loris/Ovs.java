package dev.weft.loris;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.ovsdb.Condition;
import dev.weft.ovsdb.Mutation;
import dev.weft.ovsdb.Op;
import dev.weft.ovsdb.OvsdbClient;
import dev.weft.ovsdb.OvsdbException;
import dev.weft.ovsdb.Values;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * loris's view of the Open_vSwitch database: its bridges, ports and interfaces, read as records
 * and changed in single transactions. Everything loris knows lives here, in external_ids (the
 * database is the one source of truth; loris keeps no file of its own).
 */
final class Ovs implements AutoCloseable {
    static final String DB = "Open_vSwitch";
    /** The bridge containers and tunnels attach to. */
    static final String BRIDGE = "loris0";
    /** The bridge holding the underlay interface and, on its internal port, the host's address (userspace datapath). */
    static final String UNDERLAY_BRIDGE = "lorisul";

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private final OvsdbClient db;
    private final AtomicInteger names = new AtomicInteger();

    record Bridge(String uuid, String name, String datapathType, List<String> ports, Map<String, String> ids) {
    }

    record Port(String uuid, String name, int tag, List<String> interfaces, Map<String, String> ids) {
        String id(String key) {
            return ids.get(key);
        }
    }

    record Interface(String uuid, String name, String type, Map<String, String> options, String error, String linkState) {
    }

    private Ovs(OvsdbClient db) {
        this.db = db;
    }

    static Ovs connect(String url) {
        try {
            return new Ovs(OvsdbClient.connect(url));
        } catch (OvsdbException | IllegalArgumentException e) {
            throw new LorisException(e.getMessage(), e);
        }
    }

    /** The root row's external_ids. */
    Map<String, String> rootIds() {
        return Values.mapOf(db.select(DB, "Open_vSwitch", List.of(), List.of("external_ids")).getFirst().get("external_ids"));
    }

    Optional<Bridge> bridge(String name) {
        return db.select(DB, "Bridge", List.of(Condition.eq("name", name)), null).stream().findFirst().map(Ovs::bridge);
    }

    List<Port> ports(Bridge bridge) {
        Set<String> mine = Set.copyOf(bridge.ports());
        return db.select(DB, "Port", List.of(), List.of("_uuid", "name", "tag", "interfaces", "external_ids")).stream()
                .map(Ovs::port).filter(p -> mine.contains(p.uuid())).toList();
    }

    Map<String, Interface> interfaces() {
        Map<String, Interface> out = new LinkedHashMap<>();
        for (ObjectNode r : db.select(DB, "Interface", List.of(), List.of("_uuid", "name", "type", "options", "error", "link_state"))) {
            Interface i = new Interface(Values.uuidOf(r.get("_uuid")), r.path("name").asText(), r.path("type").asText(),
                    Values.mapOf(r.get("options")), optionalText(r.get("error")), optionalText(r.get("link_state")));
            out.put(i.name(), i);
        }
        return out;
    }

    /** Runs the operations as one transaction; refusals become one-line errors. */
    List<JsonNode> transact(List<Op> ops) {
        try {
            return db.transact(DB, ops);
        } catch (OvsdbException e) {
            throw new LorisException(e.getMessage(), e);
        }
    }

    OvsdbClient client() {
        return db;
    }

    /** A uuid-name unique within this connection's transactions. */
    String newName(String prefix) {
        return prefix + names.incrementAndGet();
    }

    /** Inserts an interface and its port into {@code bridgeRef} (a uuid or named-uuid value). */
    List<Op> addPort(JsonNode bridgeRef, PortSpec spec) {
        String iface = newName("i");
        String port = newName("p");
        ObjectNode irow = F.objectNode().put("name", spec.name()).put("type", spec.type());
        irow.set("options", Values.map(spec.options()));
        ObjectNode prow = F.objectNode().put("name", spec.name());
        prow.set("interfaces", Values.namedUuid(iface));
        prow.set("external_ids", Values.map(spec.ids()));
        if (spec.tag() > 0) {
            prow.put("tag", spec.tag());
        }
        if (spec.isProtected()) {
            prow.put("protected", true);
        }
        List<Op> ops = new ArrayList<>();
        ops.add(new Op.Insert("Interface", irow, iface));
        ops.add(new Op.Insert("Port", prow, port));
        if (bridgeRef != null) {
            ops.add(new Op.Mutate("Bridge", List.of(new Condition("_uuid", "==", bridgeRef)),
                    List.of(Mutation.insert("ports", Values.namedUuid(port)))));
        }
        return ops;
    }

    /** Removes a port from its bridge (the server collects the unreferenced port and interface rows). */
    static Op removePort(Bridge bridge, Port port) {
        return new Op.Mutate("Bridge", List.of(Condition.uuid(bridge.uuid())),
                List.of(Mutation.delete("ports", Values.uuid(port.uuid()))));
    }

    /** Replaces the given keys of the root row's external_ids (null values delete). */
    static List<Op> setRootIds(Map<String, String> values) {
        List<Op> ops = new ArrayList<>();
        ops.add(new Op.Mutate("Open_vSwitch", List.of(), List.of(Mutation.delete("external_ids",
                Values.set(values.keySet().stream().map(Values::string).toList())))));
        Map<String, String> set = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (v != null) {
                set.put(k, v);
            }
        });
        if (!set.isEmpty()) {
            ops.add(new Op.Mutate("Open_vSwitch", List.of(), List.of(Mutation.insert("external_ids", Values.map(set)))));
        }
        return ops;
    }

    /** Replaces some external_ids keys of one port. */
    static List<Op> setPortIds(Port port, Map<String, String> values) {
        return List.of(
                new Op.Mutate("Port", List.of(Condition.uuid(port.uuid())), List.of(Mutation.delete("external_ids",
                        Values.set(values.keySet().stream().map(Values::string).toList())))),
                new Op.Mutate("Port", List.of(Condition.uuid(port.uuid())), List.of(Mutation.insert("external_ids",
                        Values.map(values)))));
    }

    /** What a port to add looks like: tag 0 means none (a trunk, as tunnels are). */
    record PortSpec(String name, String type, Map<String, String> options, int tag, boolean isProtected,
                    Map<String, String> ids) {
    }

    private static Bridge bridge(ObjectNode r) {
        return new Bridge(Values.uuidOf(r.get("_uuid")), r.path("name").asText(), r.path("datapath_type").asText(),
                Values.setOf(r.get("ports")).stream().map(Values::uuidOf).toList(), Values.mapOf(r.get("external_ids")));
    }

    private static Port port(ObjectNode r) {
        List<JsonNode> tag = Values.setOf(r.get("tag"));
        return new Port(Values.uuidOf(r.get("_uuid")), r.path("name").asText(), tag.isEmpty() ? 0 : tag.getFirst().asInt(),
                Values.setOf(r.get("interfaces")).stream().map(Values::uuidOf).toList(), Values.mapOf(r.get("external_ids")));
    }

    private static String optionalText(JsonNode v) {
        List<JsonNode> s = Values.setOf(v);
        return s.isEmpty() ? null : s.getFirst().asText();
    }

    @Override
    public void close() {
        db.close();
    }
}
