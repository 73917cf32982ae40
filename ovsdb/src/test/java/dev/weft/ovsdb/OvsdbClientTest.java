package dev.weft.ovsdb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.testkit.OpenVswitch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Against a real ovsdb-server with Open vSwitch's own schema, cross-checked with ovs-vsctl. */
class OvsdbClientTest {
    private static final String DB = "Open_vSwitch";
    private static OpenVswitch ovs;

    @BeforeAll
    static void start() {
        ovs = OpenVswitch.database();
    }

    @AfterAll
    static void stop() {
        if (ovs != null) {
            ovs.close();
        }
    }

    private static ObjectNode row() {
        return JsonNodeFactory.instance.objectNode();
    }

    /** A bridge with one internal port, inserted and linked to the root row in one transaction. */
    private static List<Op> addBridge(String name) {
        return List.of(
                new Op.Insert("Interface", row().put("name", name).put("type", "internal"), "i"),
                new Op.Insert("Port", row().put("name", name).set("interfaces", Values.namedUuid("i")), "p"),
                new Op.Insert("Bridge", row().put("name", name).<ObjectNode>set("ports", Values.namedUuid("p"))
                        .set("external_ids", Values.map(Map.of("owner", "test"))), "b"),
                new Op.Mutate("Open_vSwitch", List.of(), List.of(Mutation.insert("bridges", Values.namedUuid("b")))));
    }

    @Test
    void echoAndListDatabases() {
        try (OvsdbClient db = OvsdbClient.connect(ovs.dbUrl())) {
            db.echo();
            assertThat(db.listDbs()).contains(DB);
            assertThat(db.schema(DB).path("tables").has("Bridge")).isTrue();
        }
    }

    @Test
    void insertWithNamedUuidsIsSeenByOvsVsctlAndSelectAndDeleteUndoIt() {
        try (OvsdbClient db = OvsdbClient.connect(ovs.dbUrl())) {
            List<JsonNode> results = db.transact(DB, addBridge("tb1"));
            assertThat(results).hasSize(4);
            String bridgeUuid = Values.uuidOf(results.get(2).get("uuid"));
            assertThat(ovs.vsctl("list-br")).contains("tb1");
            assertThat(ovs.vsctl("br-get-external-id", "tb1", "owner").trim()).isEqualTo("test");

            List<ObjectNode> rows = db.select(DB, "Bridge", List.of(Condition.includesPair("external_ids", "owner", "test")),
                    List.of("_uuid", "name", "external_ids"));
            assertThat(rows).singleElement().satisfies(r -> {
                assertThat(Values.uuidOf(r.get("_uuid"))).isEqualTo(bridgeUuid);
                assertThat(Values.mapOf(r.get("external_ids"))).containsEntry("owner", "test");
            });

            db.transact(DB, List.of(new Op.Update("Bridge", List.of(Condition.uuid(bridgeUuid)),
                    row().set("external_ids", Values.map(Map.of("owner", "test", "k", "v"))))));
            assertThat(ovs.vsctl("br-get-external-id", "tb1", "k").trim()).isEqualTo("v");

            db.transact(DB, List.of(
                    new Op.Mutate("Open_vSwitch", List.of(), List.of(Mutation.delete("bridges", Values.uuid(bridgeUuid)))),
                    new Op.Delete("Bridge", List.of(Condition.uuid(bridgeUuid)))));
            assertThat(ovs.vsctl("list-br")).doesNotContain("tb1");
            // ports and interfaces no bridge refers to are garbage-collected by the server
            assertThat(db.select(DB, "Port", List.of(Condition.eq("name", "tb1")), List.of("name"))).isEmpty();
        }
    }

    @Test
    void aFailedWaitAbortsTheWholeTransaction() {
        try (OvsdbClient db = OvsdbClient.connect(ovs.dbUrl())) {
            List<Op> ops = new java.util.ArrayList<>(addBridge("tb2"));
            // precondition: no bridge named "tb2" may exist yet -- but one is inserted in this very transaction
            // before the wait, and the wait then sees it, so the transaction fails and nothing is kept
            ops.add(new Op.Wait("Bridge", List.of(Condition.eq("name", "tb2")), List.of("name"), true, List.of(), 0));
            assertThatThrownBy(() -> db.transact(DB, ops))
                    .isInstanceOfSatisfying(OvsdbException.TransactionFailed.class, e -> {
                        assertThat(e.error()).isEqualTo("timed out");
                        assertThat(e.operation()).isEqualTo(4);
                    });
            assertThat(ovs.vsctl("list-br")).doesNotContain("tb2");
        }
    }

    @Test
    void constraintViolationsAreTypedAndLeaveNothing() {
        try (OvsdbClient db = OvsdbClient.connect(ovs.dbUrl())) {
            db.transact(DB, addBridge("tb3"));
            try {
                // a second bridge of the same name breaks the Bridge table's index on "name"
                assertThatThrownBy(() -> db.transact(DB, addBridge("tb3")))
                        .isInstanceOfSatisfying(OvsdbException.TransactionFailed.class,
                                e -> assertThat(e.error()).isEqualTo("constraint violation"));
                assertThat(db.select(DB, "Bridge", List.of(Condition.eq("name", "tb3")), List.of("name"))).hasSize(1);
            } finally {
                ovs.vsctl("--if-exists", "del-br", "tb3");
            }
        }
    }

    @Test
    void monitorDeliversTheInitialRowsAndThenChanges() throws Exception {
        try (OvsdbClient db = OvsdbClient.connect(ovs.dbUrl()); OvsdbClient other = OvsdbClient.connect(ovs.dbUrl())) {
            LinkedBlockingQueue<ObjectNode> updates = new LinkedBlockingQueue<>();
            ObjectNode initial = db.monitor(DB, "m1", Map.of("Bridge", List.of("name")), updates::add);
            assertThat(initial.path("Bridge").size()).isZero();

            other.transact(DB, addBridge("tb4"));
            ObjectNode added = updates.poll(10, TimeUnit.SECONDS);
            assertThat(added).isNotNull();
            JsonNode change = added.path("Bridge").elements().next();
            assertThat(change.path("new").path("name").asText()).isEqualTo("tb4");

            ovs.vsctl("del-br", "tb4");
            ObjectNode removed = updates.poll(10, TimeUnit.SECONDS);
            assertThat(removed).isNotNull();
            JsonNode gone = removed.path("Bridge").elements().next();
            assertThat(gone.has("new")).isFalse();
            assertThat(gone.path("old").path("name").asText()).isEqualTo("tb4");

            db.cancelMonitor("m1");
            other.transact(DB, addBridge("tb5"));
            ovs.vsctl("del-br", "tb5");
            db.echo(); // the server has answered after both changes; a cancelled monitor delivered nothing
            assertThat(updates).isEmpty();
        }
    }

    @Test
    void errorsNameWhatFailed() {
        assertThatThrownBy(() -> OvsdbClient.connect("unix:" + ovs.dir().resolve("nothing.sock")))
                .isInstanceOf(OvsdbException.Unavailable.class)
                .hasMessageContaining("cannot connect to the OVSDB server at unix:")
                .hasMessageContaining("is ovsdb-server running?");
        assertThatThrownBy(() -> OvsdbClient.connect("tcp:127.0.0.1:6640"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected unix:PATH");
        try (OvsdbClient db = OvsdbClient.connect(ovs.dbUrl())) {
            assertThatThrownBy(() -> db.transact("NoSuchDb", List.of(new Op.Comment("x"))))
                    .isInstanceOf(OvsdbException.RpcError.class).hasMessageContaining("unknown database");
        }
    }
}
