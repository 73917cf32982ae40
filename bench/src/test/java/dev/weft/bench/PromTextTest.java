package dev.weft.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PromTextTest {
    private static final String TEXT = """
            # HELP weft_store_operation_duration_seconds Store operations
            # TYPE weft_store_operation_duration_seconds histogram
            weft_store_operation_duration_seconds_bucket{op="put",outcome="ok",store="global",le="0.1"} 7
            weft_store_operation_duration_seconds_count{op="put",outcome="ok",store="global"} 7
            weft_store_operation_duration_seconds_count{op="delete",outcome="ok",store="global"} 2
            weft_store_operation_duration_seconds_count{op="put",outcome="ok",store="local"} 40
            weft_store_operation_duration_seconds_count{op="get",outcome="ok",store="global"} 100
            weft_store_watch_events_total{store="global"} 12.0
            weft_store_watch_events_total_extra 99
            etcd_mvcc_put_total 1.5e3
            """;

    @Test
    void sumsTheSamplesWhoseLabelsMatch() {
        assertThat(PromText.sum(TEXT, "weft_store_operation_duration_seconds_count",
                l -> l.get("store").equals("global") && !l.get("op").equals("get"))).isEqualTo(9);
        assertThat(PromText.sum(TEXT, "weft_store_operation_duration_seconds_count")).isEqualTo(149);
    }

    @Test
    void readsUnlabelledSamplesAndIgnoresLongerNames() {
        assertThat(PromText.sum(TEXT, "weft_store_watch_events_total")).isEqualTo(12);
        assertThat(PromText.sum(TEXT, "etcd_mvcc_put_total")).isEqualTo(1500);
        assertThat(PromText.sum(TEXT, "absent_total")).isZero();
    }

    @Test
    void readsRssAndCpuFromProc() {
        ProcStats s = ProcStats.parse("Name:\tjava\nVmRSS:\t  153600 kB\n",
                "4242 (java (weftd)) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 40 0 100 0 0");
        assertThat(s.rssKib()).isEqualTo(153600);
        assertThat(s.cpuTicks()).isEqualTo(300);
        assertThat(s.cpuPercentSince(new ProcStats(0, 100), 4_000_000_000L)).isEqualTo(50.0);
    }
}
