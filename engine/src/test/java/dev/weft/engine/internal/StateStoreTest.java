package dev.weft.engine.internal;

import dev.weft.engine.state.EndpointState;
import dev.weft.engine.state.NetworkState;

import dev.weft.store.LocalStore;
import dev.weft.store.Store;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two hosts' record caches over one shared global store (here an in-memory store both use):
 * global records travel between them by the watch, local ones stay home, and a host's own
 * change echoed back late never undoes a newer one.
 */
class StateStoreTest {
    private final Store global = LocalStore.inMemory();
    private final Store localA = LocalStore.inMemory();
    private final Store localB = LocalStore.inMemory();
    private final StateStore a = new StateStore(localA, global, "192.0.2.11");
    private final StateStore b = new StateStore(localB, global, "192.0.2.12");

    @AfterEach
    void close() {
        a.close();
        b.close();
        global.close();
        localA.close();
        localB.close();
    }

    private static NetworkState network(String id, String name, String scope) {
        return new NetworkState(id, name, scope.equals("global") ? "overlay" : "bridge", scope, "now", false, false,
                Map.of(), Map.of(), List.of(), false);
    }

    private static EndpointState endpoint(String id, String networkId, String host) {
        EndpointState e = new EndpointState(id, id, networkId, "02:42:c0:00:02:02", "192.0.2.2/24", null, List.of(),
                List.of(), null, null, null, 0, null, null);
        return host == null ? e : e.joinedTo("sb", "c", "eth0", null, 0, host);
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 100 && !condition.getAsBoolean(); i++) {
            Thread.sleep(50);
        }
        assertThat(condition.getAsBoolean()).as("within 5 s").isTrue();
    }

    @Test
    void globalRecordsReachTheOtherHostLocalOnesStayHome() throws Exception {
        a.put(network("g1", "dev", "global"));
        a.put(network("l1", "mine", "local"));
        a.put(endpoint("e1", "g1", "192.0.2.11"));
        await(() -> b.network("g1").isPresent() && b.endpoint("g1", "e1").isPresent());
        assertThat(b.network("l1")).isEmpty();
        assertThat(global.list("networks/")).hasSize(1);
        assertThat(localA.list("networks/")).hasSize(1);

        b.put(endpoint("e1", "g1", "192.0.2.12")); // attached on the other host now
        await(() -> "192.0.2.12".equals(a.endpoint("g1", "e1").orElseThrow().host()));
        b.deleteEndpoint(b.endpoint("g1", "e1").orElseThrow());
        await(() -> a.endpoint("g1", "e1").isEmpty());
        a.deleteNetwork("g1");
        await(() -> b.network("g1").isEmpty());
    }

    @Test
    void aLateEchoOfAnOlderChangeNeverOverwritesANewerOne() throws Exception {
        a.put(network("g1", "dev", "global"));
        await(() -> b.network("g1").isPresent());
        for (int i = 0; i < 50; i++) {
            a.put(endpoint("e1", "g1", "192.0.2." + (10 + i)));
        }
        a.deleteEndpoint(a.endpoint("g1", "e1").orElseThrow());
        await(() -> b.endpoint("g1", "e1").isEmpty());
        Thread.sleep(300); // every echo of the 50 puts has arrived at a by now
        assertThat(a.endpoint("g1", "e1")).as("the delete stands").isEmpty();
        assertThat(b.endpoint("g1", "e1")).isEmpty();
    }

    @Test
    void theListenerHearsChangesFromEitherHostWithTheRecordBeforeAndAfter() throws Exception {
        BlockingQueue<String> heard = new LinkedBlockingQueue<>();
        b.setListener((key, before, after) -> heard.add(key + " " + (before != null) + " " + (after != null)));
        long generation = b.generation();
        a.put(network("g1", "dev", "global"));
        assertThat(heard.poll(5, TimeUnit.SECONDS)).isEqualTo("networks/g1 false true");
        b.put(endpoint("e1", "g1", null));
        assertThat(heard.poll(5, TimeUnit.SECONDS)).isEqualTo("endpoints/g1/e1 false true");
        a.deleteNetwork("g1");
        assertThat(heard.poll(5, TimeUnit.SECONDS)).isEqualTo("networks/g1 true false");
        assertThat(b.generation()).isGreaterThan(generation);
    }

    @Test
    void aHostFollowsTheEndpointsOfOnlyTheNetworksItTakesPartIn() throws Exception {
        a.put(network("g1", "dev", "global"));
        a.put(network("g2", "other", "global"));
        a.put(endpoint("e1", "g1", "192.0.2.11"));
        a.put(endpoint("e2", "g2", null));
        Store localC = LocalStore.inMemory();
        try (StateStore c = new StateStore(localC, global, "192.0.2.11")) { // host a again, after a restart
            assertThat(c.follows("g1")).as("an endpoint is joined here").isTrue();
            assertThat(c.follows("g2")).isFalse();
            assertThat(c.endpoints()).extracting(EndpointState::id).containsExactly("e1");
            // b learns of g2 through its watch; until then it would keep e3 as a local record
            await(() -> b.network("g2").isPresent());
            b.put(endpoint("e3", "g2", "192.0.2.12"));
            assertThat(c.endpoints("g2")).as("read from the store when asked")
                    .extracting(EndpointState::id).containsExactlyInAnyOrder("e2", "e3");
            assertThat(c.endpoint("g2", "e3")).isPresent();
            assertThat(c.follows("g2")).as("reading starts no watch").isFalse();
            b.deleteEndpoint(b.endpoint("g2", "e3").orElseThrow());
            assertThat(c.endpoints("g2")).extracting(EndpointState::id).containsExactly("e2");
            assertThat(c.endpoint("g2", "e3")).isEmpty();
            c.put(endpoint("e4", "g2", "192.0.2.11"));
            assertThat(c.follows("g2")).as("writing an endpoint makes the host take part").isTrue();
            b.deleteEndpoint(b.endpoint("g2", "e2").orElseThrow());
            await(() -> c.endpoints("g2").size() == 1); // from the watch now
        } finally {
            localC.close();
        }
    }
}
