package dev.weft.daemon.metrics;

import dev.weft.store.LocalStore;
import dev.weft.store.StoreEvent;
import dev.weft.store.VersionConflictException;
import dev.weft.store.Watch;
import dev.weft.testkit.RunDir;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A real local store behind {@link ObservedStore}: operations by outcome, watch deliveries and the lag of its own writes. */
class ObservedStoreTest {
    private static final byte[] V = "v".getBytes(StandardCharsets.UTF_8);

    @Test
    void countsOperationsOutcomesAndTheWatchLagOfItsOwnWrites() throws Exception {
        WeftMetrics metrics = new WeftMetrics();
        try (RunDir dir = new RunDir()) {
            LocalStore local = LocalStore.open(dir.path().resolve("s.db"));
            ObservedStore store = new ObservedStore(local, "global", metrics);
            BlockingQueue<StoreEvent> events = new LinkedBlockingQueue<>();
            Watch watch = store.watch("/n/", store.revision(), events::add);
            store.put("/n/a", V);
            assertThat(events.poll(10, TimeUnit.SECONDS)).isNotNull();
            store.put("/other/x", V); // no watch covers it: no lag to measure
            assertThatThrownBy(() -> store.putIfVersion("/n/a", V, 999)).isInstanceOf(VersionConflictException.class);
            assertThat(store.get("/n/a")).isPresent();
            watch.close();
            store.put("/n/b", V); // the watch is closed: nothing waits for it
            assertThat(events.poll(200, TimeUnit.MILLISECONDS)).isNull();

            String text = scrape(metrics);
            assertThat(text).contains("weft_store_watch_lag_seconds_count{store=\"global\"} 1\n",
                    "weft_store_watch_events_total{store=\"global\"} 1.0\n",
                    "weft_store_operation_duration_seconds_count{op=\"put\",outcome=\"ok\",store=\"global\"} 3\n",
                    "weft_store_operation_duration_seconds_count{op=\"put_if_version\",outcome=\"conflict\",store=\"global\"} 1\n",
                    "weft_store_operation_duration_seconds_count{op=\"get\",outcome=\"ok\",store=\"global\"} 1\n",
                    "weft_store_operation_duration_seconds_count{op=\"watch\",outcome=\"ok\",store=\"global\"} 1\n",
                    // three successful puts of 1-byte values: "/n/a", "/other/x", "/n/b" (4 + 8 + 4 key bytes); the conflict counts nothing
                    "weft_store_written_bytes_total{store=\"global\"} 19.0\n");
            store.delete("/n/b");
            assertThat(scrape(metrics)).contains("weft_store_written_bytes_total{store=\"global\"} 23.0\n");

            assertThatThrownBy(() -> store.put("", V)).isInstanceOf(IllegalArgumentException.class);
            assertThat(scrape(metrics)).contains("weft_store_operation_duration_seconds_count{op=\"put\",outcome=\"error\",store=\"global\"} 1\n");
            store.close();
        }
    }

    static String scrape(WeftMetrics metrics) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, metrics.registry().scrape());
        return out.toString(StandardCharsets.UTF_8);
    }
}
