package dev.weft.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Scale: N simulated hosts, each with its own weftd, sharing a 3-member etcd cluster or a
 * 3-server ZooKeeper ensemble (on three more simulated hosts); overlay networks each spanning
 * some of the hosts, with one probe container per member host; containers started across the
 * hosts in waves until all run, then removed in waves. Each wave's containers but a few are made
 * (or removed) in parallel; then, one at a time, the sampled ones, each measured from {@code POST
 * /v1/containers/create} until every other member host's probe container pings its address and
 * gets it from weft's DNS for its name (probe loops, INTERVAL apart), with every host's /metrics
 * (store writes, bytes, watch events) and etcd's read before and SETTLE ms after. Every weftd's
 * RSS and CPU time are read from /proc around each phase. Markdown on stdout, progress on stderr.
 *
 * <p>Usage: ScaleBenchmark [-H HOSTS[,HOSTS...]] [--store etcd3|zk3|etcd] [-N NETWORKS] [-c CONTAINERS]
 * [-W WAVE] [-S SAMPLED_PER_WAVE] [-p HOSTS_PER_NETWORK] [-t PARALLEL] [-i INTERVAL_MS] [-d DEADLINE_S]
 * [-s SETTLE_MS] [-r REST_S] [--model-hosts H] [--model-churn PER_HOST_PER_MIN]
 */
public final class ScaleBenchmark {
    private ScaleBenchmark() {
    }

    record Options(List<Integer> hosts, StoreKind store, int networks, int containers, int wave, int samples,
                   int perNetworkFlag, int parallel, int intervalMs, int deadlineSeconds, int settleMs, int restSeconds,
                   int modelHosts, double modelChurn) {
        static final String USAGE = "usage: [-H HOSTS[,HOSTS]] [--store etcd3|zk3|etcd] [-N NETWORKS] [-c CONTAINERS] [-W WAVE]"
                + " [-S SAMPLED_PER_WAVE] [-p HOSTS_PER_NETWORK] [-t PARALLEL] [-i INTERVAL_MS] [-d DEADLINE_S] [-s SETTLE_MS]"
                + " [-r REST_S] [--model-hosts H] [--model-churn PER_HOST_PER_MIN]";

        static Options parse(String[] args) {
            List<Integer> hosts = List.of(20);
            StoreKind store = StoreKind.ETCD3;
            int networks = 10;
            int containers = 1000;
            int wave = 100;
            int samples = 5;
            int perNetwork = 0;
            int parallel = 4;
            int interval = 20;
            int deadline = 10;
            int settle = 500;
            int rest = 10;
            int modelHosts = 1000;
            double churn = 6;
            for (int i = 0; i < args.length; i++) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(args[i] + " needs a value (" + USAGE + ")");
                }
                String v = args[i + 1];
                switch (args[i]) {
                    case "-H" -> hosts = Arrays.stream(v.split(",")).map(Integer::parseInt).toList();
                    case "--store" -> store = StoreKind.parse(v);
                    case "-N" -> networks = Integer.parseInt(v);
                    case "-c" -> containers = Integer.parseInt(v);
                    case "-W" -> wave = Integer.parseInt(v);
                    case "-S" -> samples = Integer.parseInt(v);
                    case "-p" -> perNetwork = Integer.parseInt(v);
                    case "-t" -> parallel = Integer.parseInt(v);
                    case "-i" -> interval = Integer.parseInt(v);
                    case "-d" -> deadline = Integer.parseInt(v);
                    case "-s" -> settle = Integer.parseInt(v);
                    case "-r" -> rest = Integer.parseInt(v);
                    case "--model-hosts" -> modelHosts = Integer.parseInt(v);
                    case "--model-churn" -> churn = Double.parseDouble(v);
                    default -> throw new IllegalArgumentException("unknown option " + args[i] + " (" + USAGE + ")");
                }
                i++;
            }
            Options o = new Options(hosts, store, networks, containers, wave, samples, perNetwork, parallel, interval,
                    deadline, settle, rest, modelHosts, churn);
            for (int h : hosts) {
                if (h < 2 || o.perNetwork(h) < 2 || o.perNetwork(h) > h) {
                    throw new IllegalArgumentException("with " + h + " hosts, hosts per network must be 2-" + h
                            + " (and there must be at least 2 hosts)");
                }
            }
            if (networks < 1 || networks > 64 || containers < 1 || wave < 1 || samples < 0 || parallel < 1 || intervalOk(interval)) {
                throw new IllegalArgumentException("out of range: networks 1-64, containers, wave and parallel at least 1,"
                        + " samples at least 0, interval 1-1000 ms");
            }
            return o;
        }

        private static boolean intervalOk(int interval) {
            return interval < 1 || interval > 1000;
        }

        /** Hosts per network: the flag, or half the hosts (at least 2). */
        int perNetwork(int hostCount) {
            return perNetworkFlag > 0 ? perNetworkFlag : Math.max(2, hostCount / 2);
        }
    }

    public static void main(String[] args) {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("run-scale: " + e.getMessage());
            System.exit(2);
            return;
        }
        StringBuilder out = new StringBuilder();
        out.append("- date: ").append(java.time.Instant.now()).append('\n');
        out.append("- machine: nproc ").append(Runtime.getRuntime().availableProcessors()).append(", kernel ")
                .append(OverlayCluster.exec(List.of("uname", "-r")).strip()).append(", java ").append(Runtime.version())
                .append(", load average at the start ").append(Phase.loadAverage()).append('\n');
        out.append(String.format(Locale.ROOT, "- store %s; %d overlay networks; %d containers in waves of %d, %d sampled per wave;"
                + " %d API calls in parallel for the rest; probes every %d ms (deadline %d s); counters read %d ms after each"
                + " sampled operation; %d s rest phases%n", o.store().flag(), o.networks(), o.containers(), o.wave(), o.samples(),
                o.parallel(), o.intervalMs(), o.deadlineSeconds(), o.settleMs(), o.restSeconds()));
        List<ScaleResult> results = new ArrayList<>();
        for (int n : o.hosts()) {
            System.err.printf("scale: %d hosts, store %s%n", n, o.store().flag());
            long t0 = System.nanoTime();
            try (OverlayCluster cluster = new OverlayCluster(n, o.store()).closeOnSignal()) {
                ScaleResult r = new ScaleRun(cluster, o, System.nanoTime() - t0).run();
                results.add(r);
                System.err.print(r.report(o.store().flag()));
            }
        }
        results.forEach(r -> out.append(r.report(o.store().flag())));
        out.append(growth(results));
        out.append(model(results.getLast(), o));
        out.append("\np50/p95/p99: nearest rank. Join rows: the clock starts as POST /v1/containers/create is sent and stops"
                + " when the last other member host's probe answered (ping) or resolved the name (dig @127.0.0.11); the probe"
                + " loops start once create has answered and the address has been read.\n");
        System.out.print(out);
    }

    private static String growth(List<ScaleResult> results) {
        StringBuilder sb = new StringBuilder("\n#### Growth with the host count\n\n| hosts | p95 by address ms | p95 by name ms"
                + " | writes per join | bytes per join | writes per leave | watch events per join: member host | outside host"
                + " | RSS MiB per weftd at rest, empty | at the peak | CPU % per weftd at rest | during starting waves |\n"
                + "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        for (ScaleResult r : results) {
            Phase empty = r.phaseValues.get(0);
            Phase starting = r.phaseValues.get(1);
            Phase peak = r.phaseValues.get(2);
            sb.append(String.format(Locale.ROOT, "| %d | %s | %s | %.2f | %.0f | %.2f | %.2f | %.2f | %.0f | %.0f | %.1f | %.1f |%n",
                    r.hosts, p95(r.byAddress), p95(r.byName), r.meanCost(true, 0), r.meanCost(true, 1), r.meanCost(false, 0),
                    r.meanEvents(true, 1), r.meanEvents(true, 2), empty.rssMeanMib(), peak.rssMeanMib(), empty.cpuMean(),
                    starting.cpuMean()));
        }
        return sb.toString();
    }

    private static String p95(Samples s) {
        return s.count() == 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", s.percentileMs(95));
    }

    private static String model(ScaleResult r, Options o) {
        ScaleModel m = new ScaleModel(r.modelCost(true), r.modelCost(false), 1,
                dev.weft.store.StoreUrl.DEFAULT_SESSION_TTL.toSeconds() / 3.0);
        int h = o.modelHosts();
        List<ScaleModel.Load> loads = List.of(m.at(h, Math.min(h, 50), o.modelChurn()),
                m.at(h, Math.max(2, h * r.perNetwork / r.hosts), o.modelChurn()), m.at(h, h, o.modelChurn()));
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%n#### Paper model for %d hosts (costs from the %d-host run)%n%n", h, r.hosts));
        ScaleModel.table(loads).forEach(l -> sb.append(l).append('\n'));
        sb.append(String.format(Locale.ROOT, "%nPer join: %.2f writes, %.0f bytes, watch events %.2f to the host itself, %.2f to each"
                + " other member, %.2f to each host outside the network; per leave: %.2f writes, %.0f bytes, %.2f / %.2f / %.2f."
                + " One lease per weftd, renewed every TTL/3 (TTL %d s).%n", r.meanCost(true, 0), r.meanCost(true, 1),
                r.meanEvents(true, 0), r.meanEvents(true, 1), r.meanEvents(true, 2), r.meanCost(false, 0), r.meanCost(false, 1),
                r.meanEvents(false, 0), r.meanEvents(false, 1), r.meanEvents(false, 2),
                dev.weft.store.StoreUrl.DEFAULT_SESSION_TTL.toSeconds()));
        return sb.toString();
    }
}
