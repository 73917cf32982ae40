package dev.weft.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The weftd processes' resources over one phase of a run: CPU as a share of one core per process
 * (mean and highest over the hosts, and all of them together), resident memory at its end, and
 * the machine's load average then.
 */
record Phase(double seconds, double cpuMean, double cpuMax, double cpuAll, double rssMeanMib, double rssMaxMib, String load) {

    String row(String name) {
        return String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.0f | %.0f | %.0f | %s |", name, seconds, cpuMean,
                cpuMax, cpuAll, rssMeanMib, rssMaxMib, load);
    }

    static final String HEADER = "| phase | s | CPU % per weftd, mean | max | all weftd together, % of one core"
            + " | RSS MiB per weftd at its end, mean | max | load average (1, 5, 15 min) at its end |\n"
            + "|---|--:|--:|--:|--:|--:|--:|---|";

    /** The first three fields of /proc/loadavg. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    /** Started at construction: every weftd's CPU time and the clock. */
    static final class Meter {
        private final OverlayCluster c;
        private final ProcStats[] start;
        private final long t0 = System.nanoTime();

        Meter(OverlayCluster c) {
            this.c = c;
            start = new ProcStats[c.size()];
            for (int h = 0; h < c.size(); h++) {
                start[h] = ProcStats.of(c.pid(h));
            }
        }

        Phase stop() {
            long nanos = System.nanoTime() - t0;
            double sum = 0;
            double max = 0;
            double rss = 0;
            double rssMax = 0;
            for (int h = 0; h < c.size(); h++) {
                ProcStats now = ProcStats.of(c.pid(h));
                double cpu = now.cpuPercentSince(start[h], nanos);
                sum += cpu;
                max = Math.max(max, cpu);
                rss += now.rssKib() / 1024.0;
                rssMax = Math.max(rssMax, now.rssKib() / 1024.0);
            }
            int n = c.size();
            return new Phase(nanos / 1e9, sum / n, max, sum, rss / n, rssMax, loadAverage());
        }
    }
}
