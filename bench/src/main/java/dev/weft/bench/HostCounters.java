package dev.weft.bench;

import dev.weft.testkit.WeftdApi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What every weftd of an {@link OverlayCluster} (and its etcd) has done so far, read at one
 * moment: CPU time and time spent waiting for a CPU, from /proc/PID/task/TID/schedstat, and from each weftd's
 * {@code GET /metrics} the global store's watch events, its reads and writes, and the netlink
 * messages and nftables commands sent to the kernel. The difference of two snapshots around a
 * step is what that step cost on each host.
 */
final class HostCounters {
    static final String[] COLUMNS = {"watch events", "store reads", "store writes", "netlink msgs", "nft cmds", "CPU ms",
        "run-queue wait ms"};
    private static final Set<String> READS = Set.of("get", "list", "revision");
    private static final Set<String> WRITES = Set.of("put", "put_if_version", "put_ephemeral", "delete", "delete_if_version");
    /** host -> counter values in {@link #COLUMNS}' order. */
    private final double[][] hosts;
    private final double etcdCpuMs;
    private final double etcdWaitMs;

    private HostCounters(double[][] hosts, double etcdCpuMs, double etcdWaitMs) {
        this.hosts = hosts;
        this.etcdCpuMs = etcdCpuMs;
        this.etcdWaitMs = etcdWaitMs;
    }

    static HostCounters read(OverlayCluster c) {
        double[][] out = new double[c.size()][];
        for (int h = 0; h < c.size(); h++) {
            Map<String, Double> m = parse(c.api(h).call("GET", "/metrics", null).body());
            double reads = 0;
            double writes = 0;
            for (Map.Entry<String, Double> e : m.entrySet()) {
                String k = e.getKey();
                if (k.startsWith("weft_store_operation_duration_seconds_count{") && k.contains("store=\"global\"")) {
                    String op = label(k, "op");
                    reads += READS.contains(op) ? e.getValue() : 0;
                    writes += WRITES.contains(op) ? e.getValue() : 0;
                }
            }
            out[h] = new double[] {
                m.getOrDefault("weft_store_watch_events_total{store=\"global\"}", 0.0), reads, writes,
                m.getOrDefault("weft_kernel_requests_total{interface=\"netlink\"}", 0.0),
                m.getOrDefault("weft_kernel_requests_total{interface=\"nftables\"}", 0.0),
                cpuMs(c.pid(h)), runQueueWaitMs(c.pid(h))};
        }
        long etcd = c.storePid();
        return new HostCounters(out, cpuMs(etcd), runQueueWaitMs(etcd));
    }

    /** One step of one round: the counters before and after it, and which host the round joined on. */
    record Step(int joiningHost, HostCounters before, HostCounters after) {
    }

    /**
     * Three rows of a Markdown table for {@code steps} (one per round): per column the joining
     * host's mean, the other hosts' mean (and the largest one host had), and all hosts' sum.
     */
    static String rows(String hostsLabel, String label, List<Step> steps) {
        int cols = COLUMNS.length;
        int hostsCount = steps.getFirst().before().hosts.length;
        double[] joining = new double[cols];
        double[] othersSum = new double[cols];
        double[] othersMax = new double[cols];
        double[] total = new double[cols];
        double etcd = 0;
        double etcdWait = 0;
        for (Step s : steps) {
            etcd += s.after().etcdCpuMs - s.before().etcdCpuMs;
            etcdWait += s.after().etcdWaitMs - s.before().etcdWaitMs;
            for (int h = 0; h < hostsCount; h++) {
                for (int k = 0; k < cols; k++) {
                    double d = s.after().hosts[h][k] - s.before().hosts[h][k];
                    total[k] += d;
                    if (h == s.joiningHost()) {
                        joining[k] += d;
                    } else {
                        othersSum[k] += d;
                        othersMax[k] = Math.max(othersMax[k], d);
                    }
                }
            }
        }
        int n = steps.size();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "| %s | %s | joining host |", hostsLabel, label));
        for (int k = 0; k < cols; k++) {
            sb.append(String.format(Locale.ROOT, " %.1f |", joining[k] / n));
        }
        sb.append(String.format(Locale.ROOT, "%n| %s | %s | each other host: mean (max) |", hostsLabel, label));
        for (int k = 0; k < cols; k++) {
            sb.append(String.format(Locale.ROOT, " %.1f (%.0f) |", othersSum[k] / n / Math.max(1, hostsCount - 1), othersMax[k]));
        }
        sb.append(String.format(Locale.ROOT, "%n| %s | %s | all weftd (etcd: %.0f ms CPU, %.0f ms run-queue wait) |", hostsLabel, label,
                etcd / n, etcdWait / n));
        for (int k = 0; k < cols; k++) {
            sb.append(String.format(Locale.ROOT, " %.1f |", total[k] / n));
        }
        return sb.append('\n').toString();
    }

    static String header() {
        StringBuilder sb = new StringBuilder("| hosts | step | where |");
        for (String c : COLUMNS) {
            sb.append(' ').append(c).append(" |");
        }
        sb.append("\n|--:|---|---|");
        sb.append("--:|".repeat(COLUMNS.length));
        return sb.append('\n').toString();
    }

    /** The overlay networks a weftd knows, from its metrics. */
    static double overlayNetworks(WeftdApi api) {
        return parse(api.call("GET", "/metrics", null).body()).getOrDefault("weft_networks{driver=\"overlay\"}", 0.0);
    }

    private static String label(String series, String name) {
        int i = series.indexOf(name + "=\"");
        if (i < 0) {
            return "";
        }
        int start = i + name.length() + 2;
        return series.substring(start, series.indexOf('"', start));
    }

    /** Prometheus text format: series (name with labels, as written) -> value; comments skipped. */
    private static Map<String, Double> parse(String text) {
        Map<String, Double> out = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            try {
                out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                // not a sample line
            }
        }
        return out;
    }

    /**
     * How long the threads of a process that run now have waited, runnable, for a CPU so far:
     * time the machine, not the process, decided.
     */
    static double runQueueWaitMs(long pid) {
        return schedstatMs(pid, 1);
    }

    /** CPU time of the threads of a process that run now, so far (ns precision, unlike /proc/PID/stat's ticks). */
    static double cpuMs(long pid) {
        return schedstatMs(pid, 0);
    }

    /**
     * A field of /proc/PID/task/TID/schedstat (0: time on a CPU, 1: time runnable waiting for
     * one, in ns) summed over the process's threads, in ms. Threads that ended meanwhile are not
     * counted, so compare it over short spans only.
     */
    private static double schedstatMs(long pid, int field) {
        double ns = 0;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : tasks.toList()) {
                try {
                    ns += Long.parseLong(Files.readString(t.resolve("schedstat")).strip().split(" ")[field]);
                } catch (IOException ended) {
                    // the thread ended between the listing and the read
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the threads of process " + pid + ": " + e.getMessage(), e);
        }
        return ns / 1e6;
    }
}
