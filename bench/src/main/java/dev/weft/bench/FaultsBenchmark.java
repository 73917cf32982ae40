package dev.weft.bench;

import dev.weft.testkit.ClusterFaults;
import dev.weft.testkit.FaultCluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * bench/run-faults: N hosts running weftd over a 3-member etcd cluster, each fault of testkit's
 * ClusterFaults once (the etcd leader killed during a stream of operations, the majority lost,
 * one host cut off the underlay, weftd SIGKILLed on several hosts during waves of run/rm), with
 * the checks of the store and every host's kernel after each; prints what was measured as
 * Markdown on standard output, progress on standard error.
 */
public final class FaultsBenchmark {
    private FaultsBenchmark() {
    }

    record Options(int hosts, int outageSeconds, int waves, int perWave, int kills, int operations, long seed) {
        static Options parse(String[] args) {
            int hosts = 20;
            int outage = 30;
            int waves = 3;
            int perWave = 40;
            int kills = 5;
            int operations = 30;
            long seed = System.nanoTime();
            for (int i = 0; i < args.length; i++) {
                String v = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "-H" -> hosts = Integer.parseInt(v);
                    case "-o" -> outage = Integer.parseInt(v);
                    case "-w" -> waves = Integer.parseInt(v);
                    case "-n" -> perWave = Integer.parseInt(v);
                    case "-k" -> kills = Integer.parseInt(v);
                    case "-l" -> operations = Integer.parseInt(v);
                    case "-s" -> seed = Long.parseLong(v);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]
                            + " (usage: -H HOSTS -o OUTAGE_S -w WAVES -n OPS_PER_WAVE -k KILLS_PER_WAVE -l LEADER_LOSS_OPS -s SEED)");
                }
                i++;
            }
            if (hosts < 3 || kills >= hosts) {
                throw new IllegalArgumentException("need at least 3 hosts and fewer kills per wave than hosts");
            }
            return new Options(hosts, outage, waves, perWave, kills, operations, seed);
        }
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        StringBuilder out = new StringBuilder();
        out.append("- date: ").append(java.time.Instant.now()).append('\n');
        out.append("- machine: nproc ").append(Runtime.getRuntime().availableProcessors()).append(", kernel ")
                .append(OverlayCluster.exec(List.of("uname", "-r")).strip()).append(", java ").append(Runtime.version())
                .append(", etcd ").append(OverlayCluster.exec(List.of("etcd", "--version")).lines().findFirst().orElse("?")).append('\n');
        out.append("- load average at the start: ").append(loadAverage()).append('\n');
        out.append(String.format(Locale.ROOT, "- %d hosts running weftd, a 3-member etcd cluster on 3 more; seed %d%n", o.hosts(), o.seed()));
        System.err.printf("faults: starting %d hosts%n", o.hosts());
        long t = System.nanoTime();
        FaultCluster cluster = FaultCluster.start(o.hosts());
        Thread cleanup = new Thread(cluster::close);
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            out.append(String.format(Locale.ROOT, "- cluster up in %d s%n", (System.nanoTime() - t) / 1_000_000_000L));
            ClusterFaults faults = new ClusterFaults(cluster, o.seed(), System.err);
            faults.setUp();
            List<ClusterFaults.Result> results = List.of(
                    faults.leaderLoss(o.operations()),
                    faults.majorityLoss(o.outageSeconds()),
                    faults.partition(o.hosts() - 1),
                    faults.crashes(o.waves(), o.perWave(), o.kills()));
            out.append("- load average at the end: ").append(loadAverage()).append("\n\n");
            out.append("| fault | measure | value |\n|---|---|--:|\n");
            for (ClusterFaults.Result r : results) {
                for (Map.Entry<String, Long> f : r.figures().entrySet()) {
                    out.append("| ").append(r.scenario()).append(" | ").append(f.getKey()).append(" | ").append(f.getValue()).append(" |\n");
                }
            }
            out.append("\nEvery fault was followed by the checks of the store and every host's forwarding and neighbour"
                    + " entries (testkit's ClusterView); all held.\n");
            System.out.print(out);
        } catch (RuntimeException e) {
            Path logs = Path.of(System.getProperty("java.io.tmpdir"), "weft-faults-logs-" + ProcessHandle.current().pid());
            cluster.saveLogs(logs);
            System.err.println("faults: failed; the daemons' and etcd's logs are in " + logs);
            throw e;
        } finally {
            cluster.close();
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
    }

    private static String loadAverage() throws IOException {
        String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return f[0] + " " + f[1] + " " + f[2] + " (1, 5, 15 min; the machine is shared with other engineers' runs)";
    }
}
