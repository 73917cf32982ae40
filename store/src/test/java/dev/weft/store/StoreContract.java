package dev.weft.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What every Store backend must do; each backend's test extends this with its own store. */
public abstract class StoreContract {
    protected Store store;

    /** A fresh, empty store (a new key prefix on a shared server is fine). */
    protected abstract Store newStore();

    /** A new client of the store {@link #newStore()} last returned, after that one was closed. */
    protected abstract Store reopen();

    @BeforeEach
    void openStore() {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    protected static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void putGetListByPrefixSorted() {
        store.put("net/b", bytes("2"));
        store.put("net/a", bytes("1"));
        store.put("netx/c", bytes("3"));
        assertThat(store.get("net/a")).get().extracting(KvEntry::valueAsString).isEqualTo("1");
        assertThat(store.get("net/zz")).isEmpty();
        assertThat(store.list("net/")).extracting(KvEntry::key).containsExactly("net/a", "net/b");
        assertThat(store.list("net")).extracting(KvEntry::key).containsExactly("net/a", "net/b", "netx/c");
        assertThat(store.list("nothing/")).isEmpty();
    }

    @Test
    void versionsAreRevisionsAndGrow() {
        long start = store.revision();
        KvEntry a = store.put("k/a", bytes("1"));
        KvEntry b = store.put("k/a", bytes("2"));
        assertThat(a.version()).isGreaterThan(start);
        assertThat(b.version()).isGreaterThan(a.version());
        assertThat(store.revision()).isGreaterThanOrEqualTo(b.version());
        assertThat(store.get("k/a")).get().extracting(KvEntry::version).isEqualTo(b.version());
    }

    @Test
    void compareAndSwapCreatesOnlyOnceAndDetectsConcurrentChange() {
        KvEntry created = store.putIfVersion("pool/x", bytes("v1"), 0);
        assertThatThrownBy(() -> store.putIfVersion("pool/x", bytes("other"), 0))
                .isInstanceOf(VersionConflictException.class).hasMessageContaining("pool/x");
        KvEntry updated = store.putIfVersion("pool/x", bytes("v2"), created.version());
        assertThatThrownBy(() -> store.putIfVersion("pool/x", bytes("stale"), created.version()))
                .isInstanceOf(VersionConflictException.class);
        assertThat(store.get("pool/x")).get().extracting(KvEntry::valueAsString).isEqualTo("v2");
        assertThatThrownBy(() -> store.deleteIfVersion("pool/x", created.version()))
                .isInstanceOf(VersionConflictException.class);
        store.deleteIfVersion("pool/x", updated.version());
        assertThat(store.get("pool/x")).isEmpty();
        assertThat(store.delete("pool/x")).isFalse();
    }

    @Test
    void concurrentCompareAndSwapLosesNoIncrement() throws Exception {
        store.put("counter", bytes("0"));
        AtomicInteger conflicts = new AtomicInteger();
        int threads = 4;
        int perThread = 25;
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int t = 0; t < threads; t++) {
                pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        while (true) {
                            KvEntry e = store.get("counter").orElseThrow();
                            int next = Integer.parseInt(e.valueAsString()) + 1;
                            try {
                                store.putIfVersion("counter", bytes(Integer.toString(next)), e.version());
                                break;
                            } catch (VersionConflictException c) {
                                conflicts.incrementAndGet();
                            }
                        }
                    }
                    return null;
                });
            }
        }
        assertThat(store.get("counter")).get().extracting(KvEntry::valueAsString)
                .isEqualTo(Integer.toString(threads * perThread));
    }

    @Test
    void watchReplaysChangesAfterARevisionThenFollowsNewOnes() throws Exception {
        store.put("w/a", bytes("1"));
        long after = store.revision();
        store.put("w/b", bytes("2"));
        store.put("other/c", bytes("x"));
        store.delete("w/a");
        BlockingQueue<StoreEvent> events = new LinkedBlockingQueue<>();
        try (Watch ignored = store.watch("w/", after, events::add)) {
            store.put("w/d", bytes("4"));
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                StoreEvent e = events.poll(5, TimeUnit.SECONDS);
                assertThat(e).as("event %d", i).isNotNull();
                seen.add((e instanceof StoreEvent.Put ? "put " : "delete ") + e.key());
            }
            assertThat(seen).containsExactly("put w/b", "delete w/a", "put w/d");
            assertThat(events.poll(200, TimeUnit.MILLISECONDS)).isNull();
        }
    }

    @Test
    void listThenWatchFromThatRevisionMissesNothingAndSeesNothingTwice() throws Exception {
        int writers = 2;
        int perWriter = 100;
        CountDownLatch started = new CountDownLatch(1);
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        try (ExecutorService pool = Executors.newFixedThreadPool(writers)) {
            for (int w = 0; w < writers; w++) {
                int id = w;
                pool.submit(() -> {
                    started.await();
                    for (int i = 0; i < perWriter; i++) {
                        store.put("ep/" + id + "-" + i, bytes("x"));
                    }
                    return null;
                });
            }
            started.countDown();
            Thread.sleep(5);
            long rev = store.revision();
            List<KvEntry> listed = store.list("ep/").stream().filter(e -> e.version() <= rev).toList();
            listed.forEach(e -> seen.add(e.key()));
            CountDownLatch all = new CountDownLatch(1);
            try (Watch ignored = store.watch("ep/", rev, e -> {
                seen.add(e.key());
                if (seen.size() == writers * perWriter) {
                    all.countDown();
                }
            })) {
                pool.shutdown();
                assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
                assertThat(all.await(30, TimeUnit.SECONDS)).as("saw %d of %d", seen.size(), writers * perWriter).isTrue();
            }
        }
        assertThat(seen).doesNotHaveDuplicates().hasSize(writers * perWriter);
    }

    @Test
    void ephemeralEntriesEndWithTheClientsSessionPermanentOnesStay() throws Exception {
        BlockingQueue<StoreEvent> seen = new LinkedBlockingQueue<>();
        store.putEphemeral("hosts/a", bytes("alive"));
        store.putEphemeral("hosts/b", bytes("alive"));
        store.put("hosts/b", bytes("permanent now"));
        store.put("networks/n", bytes("kept"));
        assertThat(store.get("hosts/a")).get().extracting(KvEntry::valueAsString).isEqualTo("alive");
        store.close();
        store = reopen();
        assertThat(store.get("hosts/a")).isEmpty();
        assertThat(store.get("hosts/b")).get().extracting(KvEntry::valueAsString).isEqualTo("permanent now");
        assertThat(store.get("networks/n")).isPresent();
        KvEntry again = store.putEphemeral("hosts/a", bytes("back"));
        try (Watch w = store.watch("hosts/", again.version(), seen::add)) {
            store.delete("hosts/a");
            assertThat(seen.poll(10, TimeUnit.SECONDS)).isInstanceOf(StoreEvent.Deleted.class)
                    .extracting(StoreEvent::key).isEqualTo("hosts/a");
        }
    }
}
