package dev.weft.bench;

import dev.weft.testkit.WeftdApi;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One run of {@link ScaleBenchmark} on one cluster: the overlay networks and their probe
 * containers, then the containers started in waves and removed in waves, with sampled joins and
 * leaves measured one at a time after each wave's bulk, and every weftd's memory and CPU per phase.
 */
final class ScaleRun {
    private final OverlayCluster c;
    private final ScaleBenchmark.Options o;
    private final int hosts;
    /** Network k's member hosts. */
    private final List<List<Integer>> members = new ArrayList<>();
    /** Probe container namespaces: network k, host -> namespace path (members only). */
    private final List<Map<Integer, String>> probes = new ArrayList<>();
    final ScaleResult result;

    ScaleRun(OverlayCluster c, ScaleBenchmark.Options o, long setupNanos) {
        this.c = c;
        this.o = o;
        this.hosts = c.size();
        this.result = new ScaleResult(hosts, o.perNetwork(hosts), setupNanos);
        for (int k = 0; k < o.networks(); k++) {
            List<Integer> m = new ArrayList<>();
            int stride = Math.max(1, hosts / o.networks());
            for (int j = 0; j < o.perNetwork(hosts); j++) {
                m.add((k * stride + j) % hosts);
            }
            members.add(List.copyOf(m));
        }
    }

    static String network(int k) {
        return "sc" + k;
    }

    private int networkOf(int container) {
        return container % o.networks();
    }

    private int hostOf(int container) {
        List<Integer> m = members.get(networkOf(container));
        return m.get((container / o.networks()) % m.size());
    }

    ScaleResult run() {
        setUp();
        result.phase("at rest, no containers", rest());
        StoreCounters before = StoreCounters.scrape(c);
        Phase.Meter starting = new Phase.Meter(c);
        for (int w = 0; w * o.wave() < o.containers(); w++) {
            wave(w, true);
        }
        result.phase("starting waves", starting.stop());
        result.allJoins(o.containers(), before, StoreCounters.scrape(c));
        if (c.storeKind().etcd()) {
            result.leases = c.etcdLeases();
        }
        result.phase("at rest, " + o.containers() + " containers", rest());
        before = StoreCounters.scrape(c);
        Phase.Meter removing = new Phase.Meter(c);
        for (int w = 0; w * o.wave() < o.containers(); w++) {
            wave(w, false);
        }
        result.phase("removing waves", removing.stop());
        result.allLeaves(o.containers(), before, StoreCounters.scrape(c));
        result.phase("at rest, all removed", rest());
        return result;
    }

    private void setUp() {
        for (int k = 0; k < o.networks(); k++) {
            c.api(0).post("/v1/networks/create", Map.of("Name", network(k), "Driver", "overlay",
                    "IPAM", Map.of("Config", List.of(Map.of("Subnet", "198.18." + (4 * k) + ".0/22")))));
        }
        for (int k = 0; k < o.networks(); k++) {
            Map<Integer, String> p = new java.util.TreeMap<>();
            for (int h : members.get(k)) {
                WeftdApi api = c.api(h);
                String net = network(k);
                OverlayCluster.await("network " + net + " on host " + h, 60, () -> api.call("GET", "/v1/networks/" + net, null).status() == 200);
                String ns = c.run(h, "p" + k + "-" + h, List.of(net));
                // the kernel's 1 s ARP retry would hide a faster convergence (as in run-overlay convergence)
                OverlayCluster.inNetns(ns, "sh", "-c", "for f in /proc/sys/net/ipv4/neigh/*/retrans_time_ms; do echo 5 > $f; done");
                p.put(h, ns);
            }
            probes.add(p);
        }
        result.probes = probes.stream().mapToInt(Map::size).sum();
        System.err.printf("  %d hosts: %d networks, %d probe containers%n", hosts, o.networks(), result.probes);
    }

    private Phase rest() {
        OverlayCluster.sleep(2000);
        Phase.Meter m = new Phase.Meter(c);
        OverlayCluster.sleep(o.restSeconds() * 1000L);
        return m.stop();
    }

    /** Wave {@code w}: its containers but the sampled ones in parallel, then the sampled ones one at a time. */
    private void wave(int w, boolean start) {
        int from = w * o.wave();
        int to = Math.min(o.containers(), from + o.wave());
        int size = to - from;
        int every = Math.max(1, size / Math.max(1, o.samples()));
        List<Integer> sampled = new ArrayList<>();
        List<Integer> bulk = new ArrayList<>();
        for (int i = from; i < to; i++) {
            (sampled.size() < o.samples() && (i - from) % every == 0 ? sampled : bulk).add(i);
        }
        long t0 = System.nanoTime();
        AtomicInteger failed = new AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(o.parallel())) {
            List<Future<?>> done = new ArrayList<>();
            for (int i : bulk) {
                done.add(pool.submit(() -> {
                    try {
                        if (start) {
                            c.create(hostOf(i), "c" + i, List.of(network(networkOf(i))));
                        } else {
                            c.remove(hostOf(i), "c" + i);
                        }
                    } catch (RuntimeException e) {
                        if (failed.getAndIncrement() == 0) {
                            System.err.println("  " + (start ? "start" : "remove") + " of c" + i + " failed: " + e.getMessage());
                        }
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        long bulkNanos = System.nanoTime() - t0;
        OverlayCluster.sleep(1000); // the bulk's watch events delivered before the sampled ones are counted
        for (int i : sampled) {
            if (start) {
                sampledJoin(i);
            } else {
                sampledLeave(i);
            }
        }
        result.failures += failed.get();
        result.wave(start, bulk.size(), bulkNanos);
        System.err.printf("  %d hosts: %s wave %d: %d in %.1f s (%d failed), %d sampled; load %s%n", hosts,
                start ? "start" : "remove", w + 1, bulk.size(), bulkNanos / 1e9, failed.get(), sampled.size(), Phase.loadAverage());
    }

    private void sampledJoin(int i) {
        int h = hostOf(i);
        int k = networkOf(i);
        String name = "c" + i;
        StoreCounters before = StoreCounters.scrape(c);
        long t0 = System.nanoTime();
        c.create(h, name, List.of(network(k)));
        long created = System.nanoTime() - t0;
        String ip = c.address(h, name, network(k));
        List<Thread> probing = new ArrayList<>();
        long[] byAddress = new long[hosts];
        long[] byName = new long[hosts];
        for (int g : members.get(k)) {
            if (g == h) {
                continue;
            }
            String ns = probes.get(k).get(g);
            probing.add(Thread.ofVirtual().start(() -> byAddress[g] = until(Probe.ping(ns, ip, o.intervalMs(), o.deadlineSeconds()), t0)));
            probing.add(Thread.ofVirtual().start(() -> byName[g] = until(Probe.dns(ns, name, ip, o.intervalMs(), o.deadlineSeconds()), t0)));
        }
        for (Thread t : probing) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        OverlayCluster.sleep(o.settleMs());
        StoreCounters after = StoreCounters.scrape(c);
        result.join(created, byAddress, byName, h, members.get(k), before, after);
    }

    /** Nanoseconds from {@code t0} until the probe loop succeeded, or -1 if it reached its deadline. */
    private long until(List<String> probe, long t0) {
        return c.probe(probe) == 0 ? System.nanoTime() - t0 : -1;
    }

    private void sampledLeave(int i) {
        int h = hostOf(i);
        StoreCounters before = StoreCounters.scrape(c);
        long t0 = System.nanoTime();
        c.remove(h, "c" + i);
        long removed = System.nanoTime() - t0;
        OverlayCluster.sleep(o.settleMs());
        result.leave(removed, h, members.get(networkOf(i)), before, StoreCounters.scrape(c));
    }
}
