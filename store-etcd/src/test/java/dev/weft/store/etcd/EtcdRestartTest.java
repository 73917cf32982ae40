package dev.weft.store.etcd;

import dev.weft.store.Store;
import dev.weft.store.StoreEvent;
import dev.weft.store.StoreException;
import dev.weft.store.Watch;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A watch outlives a crash and restart of etcd: it reconnects and resumes where it stopped. */
class EtcdRestartTest {
    private static final int BEFORE = 20;
    private static final int AFTER = 20;

    @Test
    void aWatchDeliversEveryChangeExactlyOnceAcrossAnEtcdRestart() throws Exception {
        BlockingQueue<StoreEvent> seen = new LinkedBlockingQueue<>();
        try (EtcdServer etcd = EtcdServer.start();
             Store writer = EtcdStore.open(etcd.url("restart"));
             Store watcher = EtcdStore.open(etcd.url("restart"));
             Watch ignored = watcher.watch("k/", writer.revision(), seen::add)) {
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < BEFORE; i++) {
                writer.put("k/" + i, "v".getBytes(StandardCharsets.UTF_8));
                expected.add("put k/" + i);
            }
            etcd.restart();
            awaitReconnected(writer);
            for (int i = BEFORE; i < BEFORE + AFTER; i++) {
                writer.put("k/" + i, "v".getBytes(StandardCharsets.UTF_8));
                expected.add("put k/" + i);
            }
            writer.delete("k/0");
            expected.add("delete k/0");

            List<StoreEvent> events = new ArrayList<>();
            for (int i = 0; i < expected.size(); i++) {
                StoreEvent e = seen.poll(30, TimeUnit.SECONDS);
                assertThat(e).as("event %d of %d after the restart", i, expected.size()).isNotNull();
                events.add(e);
            }
            assertThat(seen.poll(1, TimeUnit.SECONDS)).as("no event twice").isNull();
            assertThat(events).extracting(e -> (e instanceof StoreEvent.Put ? "put " : "delete ") + e.key())
                    .containsExactlyElementsOf(expected);
            assertThat(events).extracting(StoreEvent::revision).isSorted().doesNotHaveDuplicates();
        }
    }

    /** Waits until the client's connection is back, with a read, so that no write is sent twice. */
    private static void awaitReconnected(Store store) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                store.revision();
                return;
            } catch (StoreException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }
}
