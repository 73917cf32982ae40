package dev.weft.bench;

import dev.weft.testkit.WeftdApi;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Overlay convergence: how long after a service is published and attached to a container on host
 * A a container on host B reaches it. N simulated hosts each run a weftd process, sharing a real
 * etcd on host N+1; overlay network "ovb" (198.18.0.0/16) has one probe container on every host.
 * Each round, on host A = round mod N: a container without networks is made (untimed); then the
 * clock starts, {@code POST /v1/services/publish} and {@code POST /v1/services/SVC.ovb/attach}
 * are sent to A's weftd over its Unix socket, and as soon as publish has answered with the
 * address, a loop of single pings ({@code ping -c 1 -W 0.05}, INTERVAL apart) starts inside the probe
 * container of host B = A+1; the clock stops when it reports the first answer.
 * Then (untimed) the service is detached and unpublished and the container removed, and the
 * next round waits SETTLE ms. Afterwards a few extra rounds count etcd revisions (one per write
 * transaction) around each step. Markdown on stdout, progress on stderr.
 *
 * <p>Usage: OverlayConvergenceBenchmark [-H HOSTS[,HOSTS...]] [-n ROUNDS] [-w WARMUP]
 * [-i INTERVAL_MS] [-a ARP_RETRANS_MS] [-s SETTLE_MS] [-c COUNT_ROUNDS] [-p PARTICIPANTS]
 * (default -H 3,10 -n 100 -w 10 -i 5 -a 5 -s 200 -c 10, every host taking part). -a 0 leaves the probe containers'
 * ARP retransmit time at the kernel's default (1 s). -p P: only the first P hosts have a probe
 * container and take turns as A and B; the others run weftd and see the network, nothing more.
 */
public final class OverlayConvergenceBenchmark {
    private static final String NETWORK = "ovb";
    private static final String SUBNET = "198.18.0.0/16";

    private OverlayConvergenceBenchmark() {
    }

    record Options(List<Integer> hosts, int rounds, int warmup, int intervalMs, int arpRetransMs, int settleMs, int countRounds,
                   int participants) {
        static Options parse(String[] args) {
            List<Integer> hosts = List.of(3, 10);
            int rounds = 100;
            int warmup = 10;
            int interval = 5;
            int arp = 5;
            int settle = 200;
            int count = 10;
            int participants = 0;
            for (int i = 0; i < args.length; i++) {
                String v = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "-H" -> hosts = java.util.Arrays.stream(v.split(",")).map(Integer::parseInt).toList();
                    case "-n" -> rounds = Integer.parseInt(v);
                    case "-w" -> warmup = Integer.parseInt(v);
                    case "-i" -> interval = Integer.parseInt(v);
                    case "-a" -> arp = Integer.parseInt(v);
                    case "-s" -> settle = Integer.parseInt(v);
                    case "-c" -> count = Integer.parseInt(v);
                    case "-p" -> participants = Integer.parseInt(v);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]
                            + " (usage: [-H HOSTS[,HOSTS]] [-n ROUNDS] [-w WARMUP] [-i INTERVAL_MS] [-a ARP_RETRANS_MS] [-s SETTLE_MS] [-c COUNT_ROUNDS]"
                            + " [-p PARTICIPANTS])");
                }
                i++;
            }
            if (hosts.stream().anyMatch(h -> h < 2)) {
                throw new IllegalArgumentException("every host count must be at least 2");
            }
            if (participants == 1 || participants < 0) {
                throw new IllegalArgumentException("-p: at least 2 hosts take part in the network");
            }
            return new Options(hosts, rounds, warmup, interval, arp, settle, count, participants);
        }
    }

    public static void main(String[] args) {
        Options o = Options.parse(args);
        StringBuilder out = new StringBuilder();
        out.append("- date: ").append(java.time.Instant.now()).append('\n');
        out.append("- machine: nproc ").append(Runtime.getRuntime().availableProcessors()).append(", kernel ")
                .append(OverlayCluster.exec(List.of("uname", "-r")).strip()).append(", java ").append(Runtime.version()).append('\n');
        out.append("- etcd: ").append(OverlayCluster.exec(List.of("etcd", "--version")).lines().findFirst().orElse("?")).append('\n');
        out.append(String.format(Locale.ROOT, "- %d recorded joins per host count after %d warm-up joins; probe: ping -c 1 -W 0.05 in a loop, %d ms sleep between tries;"
                + " probe containers' ARP retransmit time %s; %d ms untimed pause between rounds%n",
                o.rounds(), o.warmup(), o.intervalMs(), o.arpRetransMs() > 0 ? o.arpRetransMs() + " ms" : "kernel default",
                o.settleMs()));
        List<String> tables = new ArrayList<>();
        List<String> writes = new ArrayList<>();
        List<String> costs = new ArrayList<>();
        for (int n : o.hosts()) {
            System.err.printf("overlay convergence: %d hosts%n", n);
            try (OverlayCluster cluster = new OverlayCluster(n).closeOnSignal()) {
                Result r = measure(cluster, o);
                tables.add(r.rows());
                writes.add(r.writes());
                costs.add(r.costs());
            }
        }
        out.append("\n| hosts | step | N | median ms | p95 ms | min ms | max ms |\n|--:|---|--:|--:|--:|--:|--:|\n");
        tables.forEach(out::append);
        out.append("\nMedian: middle value (mean of the two middle ones for even N); p95: nearest rank.\n");
        out.append("\netcd revisions (write transactions) per step, ").append(o.countRounds()).append(" joins each:\n\n")
                .append("| hosts | step | min | median | max |\n|--:|---|--:|--:|--:|\n");
        writes.forEach(out::append);
        out.append("\nWhat each host did per step (the same rounds; every step includes about 500 ms at rest and one scrape of every host, as the last row does;"
                + " CPU and run-queue wait (runnable, waiting for a CPU) from /proc/PID/task/*/schedstat, the rest from each weftd's /metrics):\n\n").append(HostCounters.header());
        costs.forEach(out::append);
        System.out.print(out);
    }

    record Result(String rows, String writes, String costs) {
    }

    private static Result measure(OverlayCluster c, Options o) {
        int all = c.size();
        int n = o.participants() > 0 ? Math.min(o.participants(), all) : all; // the hosts with a container on the network
        String label = n == all ? Integer.toString(all) : all + " (" + n + " in the network)";
        c.api(0).post("/v1/networks/create", Map.of("Name", NETWORK, "Driver", "overlay",
                "IPAM", Map.of("Config", List.of(Map.of("Subnet", SUBNET)))));
        for (int h = 0; h < all; h++) {
            WeftdApi api = c.api(h);
            // a host outside the network is asked through its metrics: reading the network's endpoints would make it follow them
            OverlayCluster.await("network " + NETWORK + " on host " + h, 30, h < n
                    ? () -> api.call("GET", "/v1/networks/" + NETWORK, null).status() == 200
                    : () -> HostCounters.overlayNetworks(api) >= 1);
        }
        String[] probe = new String[n];
        String[] probeIp = new String[n];
        for (int h = 0; h < n; h++) {
            probe[h] = c.run(h, "p" + h, List.of(NETWORK));
            probeIp[h] = c.address(h, "p" + h, NETWORK);
            if (o.arpRetransMs() > 0) {
                OverlayCluster.inNetns(probe[h], "sh", "-c", "for f in /proc/sys/net/ipv4/neigh/*/retrans_time_ms; do echo "
                        + o.arpRetransMs() + " > $f; done");
            }
        }
        // every probe reaches the next host's probe before any round starts
        for (int h = 0; h < n; h++) {
            String from = probe[h];
            String to = probeIp[(h + 1) % n];
            OverlayCluster.await("probe " + h + " reaching " + to, 30, () -> ping(c, from, to, 1, 1) == 0);
        }
        Samples converge = new Samples("publish + attach until reachable from another host", "weft");
        Samples publish = new Samples("POST /v1/services/publish answered", "weft");
        Samples attach = new Samples("POST .../attach answered (after publish)", "weft");
        Samples reachAfterAttach = new Samples("reachable after attach answered", "weft");
        // where host A's publish + attach time went, from /proc (no scrape: nothing wakes the daemons)
        Samples aCpu = new Samples("host A's weftd: CPU during publish + attach", "weft");
        Samples aWait = new Samples("host A's weftd: waiting for a CPU (run queue) during publish + attach", "weft");
        Samples othersCpu = new Samples("all other weftd together: CPU during publish + attach", "weft");
        Samples etcdCpu = new Samples("etcd: CPU during publish + attach", "weft");
        Samples etcdWait = new Samples("etcd: waiting for a CPU during publish + attach", "weft");
        long etcdPid = c.storePid();
        int failures = 0;
        for (int r = 0; r < o.warmup() + o.rounds(); r++) {
            int a = r % n;
            int b = (a + 1) % n;
            String container = "c" + r;
            String service = "s" + r;
            c.run(a, container, List.of());
            OverlayCluster.inNetns(probe[b], "ip", "neigh", "flush", "all");
            double[] before = machine(c, a, etcdPid);
            long t0 = System.nanoTime();
            JsonNode pub = c.api(a).post("/v1/services/publish", Map.of("Name", service, "Network", NETWORK));
            long t1 = System.nanoTime();
            String ip = pub.path("IPv4Address").asText().split("/")[0];
            Process ping = c.start(Probe.ping(probe[b], ip, o.intervalMs(), 5));
            c.api(a).post("/v1/services/" + service + "." + NETWORK + "/attach", Map.of("Container", container));
            long t2 = System.nanoTime();
            double[] after = machine(c, a, etcdPid);
            int exit = Probe.firstAnswer(ping);
            long t3 = System.nanoTime();
            c.forget(ping);
            if (r >= o.warmup()) {
                if (exit == 0) {
                    converge.add(t3 - t0);
                    publish.add(t1 - t0);
                    attach.add(t2 - t1);
                    reachAfterAttach.add(Math.max(0, t3 - t2));
                    Samples[] where = {aCpu, aWait, othersCpu, etcdCpu, etcdWait};
                    for (int k = 0; k < where.length; k++) {
                        where[k].add(Math.round((after[k] - before[k]) * 1e6));
                    }
                } else {
                    failures++;
                }
            }
            if (r % 10 == 9) {
                System.err.printf("  %d hosts: round %d/%d, last %.1f ms%s%n", n, r + 1, o.warmup() + o.rounds(),
                        (t3 - t0) / 1e6, exit == 0 ? "" : " (not reached within 5 s)");
            }
            detach(c, a, service, container);
            OverlayCluster.sleep(o.settleMs());
        }
        StringBuilder rows = new StringBuilder();
        for (Samples s : List.of(converge, publish, attach, reachAfterAttach, aCpu, aWait, othersCpu, etcdCpu, etcdWait)) {
            rows.append(String.format(Locale.ROOT, "| %s | %s | %d | %.1f | %.1f | %.1f | %.1f |%n", label, s.operation(), s.count(),
                    s.medianMs(), s.percentileMs(95), s.minMs(), s.maxMs()));
        }
        if (failures > 0) {
            rows.append(String.format(Locale.ROOT, "| %s | joins not reachable within 5 s (left out above) | %d | | | | |%n", label, failures));
        }
        StringBuilder costs = new StringBuilder();
        String writes = countWrites(c, o, probe, n, label, costs);
        return new Result(rows.toString(), writes, costs.toString());
    }

    /**
     * Host {@code a}'s weftd CPU and run-queue wait, the other weftd's CPU together, etcd's CPU
     * and run-queue wait, all in ms so far.
     */
    private static double[] machine(OverlayCluster c, int a, long etcdPid) {
        double others = 0;
        for (int h = 0; h < c.size(); h++) {
            others += h == a ? 0 : HostCounters.cpuMs(c.pid(h));
        }
        return new double[] {HostCounters.cpuMs(c.pid(a)), HostCounters.runQueueWaitMs(c.pid(a)), others,
            HostCounters.cpuMs(etcdPid), HostCounters.runQueueWaitMs(etcdPid)};
    }

    /**
     * Untimed rounds that read etcd's revision before and after each step, and every host's
     * counters (appended to {@code costs}, with 500 ms at rest before each round for comparison).
     */
    private static String countWrites(OverlayCluster c, Options o, String[] probe, int n, String label, StringBuilder costs) {
        long[][] deltas = new long[3][o.countRounds()];
        List<List<HostCounters.Step>> costSteps = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                new ArrayList<>());
        for (int r = 0; r < o.countRounds(); r++) {
            int a = r % n;
            String container = "w" + r;
            String service = "ws" + r;
            c.run(a, container, List.of());
            HostCounters rest = HostCounters.read(c);
            OverlayCluster.sleep(500);
            long r0 = c.storeRevision();
            HostCounters k0 = HostCounters.read(c);
            costSteps.get(4).add(new HostCounters.Step(a, rest, k0));
            JsonNode pub = c.api(a).post("/v1/services/publish", Map.of("Name", service, "Network", NETWORK));
            OverlayCluster.sleep(500);
            long r1 = c.storeRevision();
            HostCounters k1 = HostCounters.read(c);
            c.api(a).post("/v1/services/" + service + "." + NETWORK + "/attach", Map.of("Container", container));
            String ip = pub.path("IPv4Address").asText().split("/")[0];
            ping(c, probe[(a + 1) % n], ip, o.intervalMs(), 5);
            OverlayCluster.sleep(500);
            long r2 = c.storeRevision();
            HostCounters k2 = HostCounters.read(c);
            detach(c, a, service, container);
            OverlayCluster.sleep(500);
            long r3 = c.storeRevision();
            HostCounters k3 = HostCounters.read(c);
            costSteps.get(0).add(new HostCounters.Step(a, k0, k1));
            costSteps.get(1).add(new HostCounters.Step(a, k1, k2));
            costSteps.get(2).add(new HostCounters.Step(a, k2, k3));
            costSteps.get(3).add(new HostCounters.Step(a, k0, k3));
            deltas[0][r] = r1 - r0;
            deltas[1][r] = r2 - r1;
            deltas[2][r] = r3 - r2;
        }
        String[] steps = {"publish (endpoint created, address allocated)", "attach (joined on host A)",
            "detach + unpublish + container removed"};
        String[] labels = {"publish", "attach + first ping", "detach + unpublish + rm", "whole lifecycle", "500 ms at rest"};
        for (int i = 0; i < costSteps.size(); i++) {
            costs.append(HostCounters.rows(label, labels[i], costSteps.get(i)));
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            long[] d = deltas[i].clone();
            java.util.Arrays.sort(d);
            sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %d |%n", label, steps[i], d[0], d[d.length / 2], d[d.length - 1]));
        }
        return sb.toString();
    }

    private static void detach(OverlayCluster c, int a, String service, String container) {
        c.api(a).post("/v1/services/" + service + "." + NETWORK + "/detach", Map.of("Container", container));
        c.api(a).delete("/v1/services/" + service + "." + NETWORK);
        c.remove(a, container);
    }

    /** Pings until the first answer or the deadline; 0 when answered. */
    private static int ping(OverlayCluster c, String netns, String ip, int intervalMs, int deadlineSeconds) {
        return c.probe(Probe.ping(netns, ip, Math.max(intervalMs, 2), deadlineSeconds));
    }
}
