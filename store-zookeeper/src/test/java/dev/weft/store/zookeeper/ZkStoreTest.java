package dev.weft.store.zookeeper;

import dev.weft.store.CompactedException;
import dev.weft.store.KvEntry;
import dev.weft.store.Store;
import dev.weft.store.StoreContract;
import dev.weft.store.StoreEvent;
import dev.weft.store.StoreException;
import dev.weft.store.StoreUrl;
import dev.weft.store.Stores;
import dev.weft.store.Watch;
import dev.weft.testkit.StoreServer;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Store contract and the ZooKeeper-specific behaviour, against a real ZooKeeper server. */
class ZkStoreTest extends StoreContract {
    private static Path dir;
    private static StoreServer server;
    private String prefix;

    @BeforeAll
    static void startServer() throws Exception {
        dir = Files.createTempDirectory("weft-zk-test");
        server = StoreServer.zookeeperOnLoopback(dir);
    }

    @AfterAll
    static void stopServer() throws IOException {
        server.close();
        delete(dir);
    }

    private static void delete(Path tree) throws IOException {
        try (var files = Files.walk(tree)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Override
    protected Store newStore() {
        prefix = "weft-test-" + UUID.randomUUID();
        return reopen();
    }

    @Override
    protected Store reopen() {
        return ZkStore.open(url(server, prefix));
    }

    private static StoreUrl url(StoreServer on, String prefix) {
        return StoreUrl.parse(on.url() + "/" + prefix);
    }

    @Test
    void storesOpenFindsTheZooKeeperBackend() {
        try (Store found = Stores.open(url(server, prefix + "-found"))) {
            assertThat(found).isInstanceOf(ZkStore.class);
            found.put("a", bytes("1"));
            assertThat(found.get("a")).get().extracting(KvEntry::valueAsString).isEqualTo("1");
        }
    }

    @Test
    void anAddressWithNoServerFailsWithinSecondsNamingIt() throws Exception {
        int port = StoreServer.freePort();
        long start = System.nanoTime();
        assertThatThrownBy(() -> ZkStore.open(StoreUrl.parse("zk://127.0.0.1:" + port + "/x")))
                .isInstanceOf(StoreException.class).hasMessageContaining("127.0.0.1:" + port);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(ZkClient.OPEN_TIMEOUT.plusSeconds(3));
    }

    @Test
    void keysWithAnyCharactersRoundTrip() {
        List<String> keys = List.of(".", "..", "a b/ü/%41", "x//y/", "/lead");
        for (String k : keys) {
            store.put(k, bytes(k));
        }
        assertThat(store.list("")).extracting(KvEntry::key).containsExactlyElementsOf(keys.stream().sorted().toList());
        for (String k : keys) {
            assertThat(store.get(k)).get().extracting(KvEntry::valueAsString).isEqualTo(k);
        }
    }

    @Test
    void watchingFromACompactedRevisionTellsTheCallerToListAgain() throws Exception {
        try (ZkStore small = ZkStore.open(url(server, prefix + "-small"), 5)) {
            for (int i = 0; i < 20; i++) {
                small.put("k/" + i, bytes("v"));
            }
            awaitCompacted(small, 2);
            BlockingQueue<StoreEvent> seen = new LinkedBlockingQueue<>();
            try (Watch w = small.watch("k/", small.revision() - 3, seen::add)) {
                assertThat(seen.poll(5, TimeUnit.SECONDS)).extracting(StoreEvent::key).isEqualTo("k/17");
            }
        }
    }

    private static void awaitCompacted(ZkStore s, long revision) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5000;
        while (true) {
            try {
                s.watch("k/", revision, e -> { }).close();
            } catch (CompactedException e) {
                assertThat(e).hasMessageContaining("list again");
                return;
            }
            assertThat(System.currentTimeMillis()).as("log trimmed within 5 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    void anotherClientSeesEphemeralEntriesDeletedWhenTheOwnerCloses() throws Exception {
        BlockingQueue<StoreEvent> seen = new LinkedBlockingQueue<>();
        Store owner = reopen();
        KvEntry e = owner.putEphemeral("hosts/h1", bytes("alive"));
        try (Watch w = store.watch("hosts/", e.version(), seen::add)) {
            owner.close();
            assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo(new StoreEvent.Deleted("hosts/h1", e.version() + 1));
        }
        assertThat(store.get("hosts/h1")).isEmpty();
    }

    @Test
    void ephemeralEntriesOfAnExpiredSessionAreReportedDeleted() throws Exception {
        BlockingQueue<StoreEvent> seen = new LinkedBlockingQueue<>();
        ZkStore owner = (ZkStore) reopen();
        try {
            KvEntry e = owner.putEphemeral("hosts/h2", bytes("alive"));
            try (Watch w = store.watch("hosts/", e.version(), seen::add)) {
                endSession(owner.client().zooKeeper());
                StoreEvent deleted = seen.poll(15, TimeUnit.SECONDS);
                assertThat(deleted).isInstanceOf(StoreEvent.Deleted.class).extracting(StoreEvent::key).isEqualTo("hosts/h2");
                assertThat(seen.poll(1, TimeUnit.SECONDS)).as("reported once").isNull();
            }
            assertThat(store.get("hosts/h2")).isEmpty();
        } finally {
            owner.close();
        }
    }

    /** Ends a session on the server, as its expiry would, by closing a second handle to it. */
    private static void endSession(ZooKeeper zk) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper twin = new ZooKeeper(server.hostPort(), 10_000, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        }, zk.getSessionId(), zk.getSessionPasswd());
        try {
            assertThat(connected.await(10, TimeUnit.SECONDS)).as("second handle connected").isTrue();
        } finally {
            twin.close(); // a handle closes its session only once connected
        }
    }

    @Test
    void aWatchSurvivesAServerRestartDeliveringEveryChangeOnceAndCallsFailInBoundedTime() throws Exception {
        BlockingQueue<StoreEvent> seen = new LinkedBlockingQueue<>();
        Path ownDir = Files.createTempDirectory("weft-zk-restart");
        try (StoreServer own = StoreServer.zookeeperOnLoopback(ownDir); Store s = ZkStore.open(url(own, "restart"))) {
            try (Watch w = s.watch("r/", s.revision(), seen::add)) {
                writeKeys(s, 0, 20);
                own.stop();
                long start = System.nanoTime();
                assertThatThrownBy(() -> s.get("r/000")).as("a call while the server is down")
                        .isInstanceOf(StoreException.class).hasMessageContaining(own.hostPort());
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
                own.start();
                awaitReconnect(s);
                writeKeys(s, 20, 40);
                List<String> keys = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    StoreEvent e = seen.poll(15, TimeUnit.SECONDS);
                    assertThat(e).as("event %d", i).isNotNull();
                    keys.add(e.key());
                }
                assertThat(keys).containsExactlyElementsOf(expectedKeys(0, 40));
                assertThat(seen.poll(1500, TimeUnit.MILLISECONDS)).as("nothing twice").isNull();
            }
        } finally {
            delete(ownDir);
        }
    }

    private static void writeKeys(Store s, int from, int to) {
        for (int i = from; i < to; i++) {
            s.put("r/" + String.format("%03d", i), bytes("v" + i));
        }
    }

    private static List<String> expectedKeys(int from, int to) {
        List<String> keys = new ArrayList<>();
        for (int i = from; i < to; i++) {
            keys.add("r/" + String.format("%03d", i));
        }
        return keys;
    }

    private static void awaitReconnect(Store s) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        while (true) {
            try {
                s.revision();
                return;
            } catch (StoreException e) {
                assertThat(System.currentTimeMillis()).as("reconnected within 20 s: %s", e.getMessage()).isLessThan(deadline);
                Thread.sleep(100);
            }
        }
    }
}
