package dev.weft.testkit;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The store and host faults of a {@link FaultCluster}, each followed by the checks of a
 * {@link ClusterView} (store and every host's kernel tables), for the suite's ClusterFaultTest
 * and bench/run-faults alike. Each scenario returns what it measured and throws
 * {@link IllegalStateException} naming what did not hold.
 */
public final class ClusterFaults {
    /** The two overlays the scenarios use, and their subnets. */
    public static final Map<String, String> NETWORKS = Map.of("fa", "203.0.113.0/24", "fb", "198.51.100.0/24");
    private static final java.util.concurrent.Executor CALLS = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
    private final FaultCluster c;
    private final ClusterView view;
    private final Random random;
    private final PrintStream log;
    /** Containers acknowledged and not removed: name -> networks. */
    private final Map<String, Set<String>> expected = new ConcurrentHashMap<>();
    private final AtomicInteger next = new AtomicInteger();
    private final Set<Integer> unreachable = ConcurrentHashMap.newKeySet();

    public ClusterFaults(FaultCluster c, long seed, PrintStream log) {
        this.c = c;
        this.view = new ClusterView(c, NETWORKS);
        this.random = new Random(seed);
        this.log = log;
    }

    /** What a scenario measured: named durations in milliseconds and counts, in order. */
    public record Result(String scenario, Map<String, Long> figures) {
    }

    /** Creates the two overlays and one container per host on "fa" (every other host's also on "fb"). */
    public void setUp() {
        NETWORKS.forEach((name, subnet) -> ok(c.api(0).call("POST", "/v1/networks/create", Map.of("Name", name,
                "Driver", "overlay", "IPAM", Map.of("Config", List.of(Map.of("Subnet", subnet)))))));
        for (int h = 0; h < c.size(); h++) {
            run(h, h % 2 == 0 ? List.of("fa", "fb") : List.of("fa"));
        }
        awaitConsistent("after set-up", 30);
    }

    // ---- 1. the etcd leader killed during a stream of global operations ----

    /**
     * Runs {@code operations} global operations (run on an overlay, connect to the other, publish a
     * service) round the hosts, killing the etcd leader after a third of them; an operation answered
     * 503 is tried once more after the election (an election can outlast weft's 1.5 s per call), and
     * must succeed then. The killed member is started again at the end.
     */
    public Result leaderLoss(int operations) {
        int leader = awaitLeader(-1);
        long slowest = 0;
        int retried = 0;
        CompletableFuture<Long> elected = null;
        for (int i = 0; i < operations; i++) {
            if (i == operations / 3) {
                long killedAt = System.nanoTime();
                c.store().member(leader).kill();
                log.printf("faults: killed the etcd leader (member %d)%n", leader);
                int old = leader;
                elected = CompletableFuture.supplyAsync(() -> {
                    awaitLeader(old);
                    return ms(killedAt);
                }, CALLS);
            }
            int h = i % c.size();
            long t = System.nanoTime();
            WeftdApi.Answer a = operation(h, i);
            if (a.status() == 503) {
                retried++;
                log.printf("faults: operation %d answered 503 (%s); trying once more%n", i, a.body());
                if (elected != null) {
                    elected.join(); // as a user would: once more when the store has a leader again
                }
                a = operation(h, i);
            }
            if (a.status() / 100 != 2) {
                throw new IllegalStateException("operation " + i + " on host " + h + " failed after one retry: " + a);
            }
            slowest = Math.max(slowest, ms(t));
        }
        long election = elected.join();
        c.store().start(leader);
        long converged = awaitConsistent("after the etcd leader's death", 15);
        Map<String, Long> f = new LinkedHashMap<>();
        f.put("operations", (long) operations);
        f.put("answered 503 once (then succeeded)", (long) retried);
        f.put("slowest operation, its retry included, ms", slowest);
        f.put("new leader seen by etcdctl after ms", election);
        f.put("consistent after the member's restart ms", converged);
        log.printf("faults: leader loss: %s%n", f);
        return new Result("etcd leader killed", f);
    }

    private WeftdApi.Answer operation(int h, int i) {
        String name = "c" + h + "-" + next.getAndIncrement();
        return switch (i % 3) {
            case 0 -> runAnswer(h, name, List.of("fa"));
            case 1 -> {
                String some = expected.keySet().stream().filter(n -> ClusterView.hostOf(n) == h
                        && !expected.get(n).contains("fb")).findFirst().orElse(null);
                if (some == null) {
                    yield runAnswer(h, name, List.of("fb"));
                }
                WeftdApi.Answer a = call(h, "POST", "/v1/networks/fb/connect", Map.of("Container", some));
                if (a.status() / 100 == 2 || a.status() == 409 && a.body().contains("already")) {
                    expected.get(some).add("fb");
                }
                yield a;
            }
            default -> {
                String service = "svc" + i;
                WeftdApi.Answer a = call(h, "POST", "/v1/services/publish", Map.of("Name", service, "Network", "fa"));
                yield a.status() == 409 ? call(h, "GET", "/v1/services/" + service, null) : a;
            }
        };
    }

    // ---- 2. etcd majority lost ----

    /**
     * Kills two of the three etcd members for {@code outageSeconds}. During the outage a container
     * pings one on another host (every ping must answer), and global operations (network create,
     * run on an overlay) must fail with 503 and a message (how many took over 2 s is counted); after the members are back,
     * a new operation must succeed and the cluster be consistent within 5 s.
     */
    public Result majorityLoss(int outageSeconds) {
        String from = firstContainerOn(0);
        String to = firstContainerOn(1);
        String target = address(1, to, "fa");
        String netns = c.api(0).get("/v1/sandboxes/" + from).path("Key").asText();
        int leader = awaitLeader(-1);
        List<Integer> killed = List.of(leader, (leader + 1) % 3);
        long start = System.nanoTime();
        killed.forEach(m -> c.store().member(m).kill());
        log.printf("faults: killed etcd members %s%n", killed);
        long slowest503 = 0;
        int refused = 0;
        int late = 0;
        int pings = 0;
        int lost = 0;
        int k = 0;
        while (ms(start) < outageSeconds * 1000L) {
            if (!ping(netns, target)) {
                lost++;
            }
            pings++;
            int h = k % c.size();
            long t = System.nanoTime();
            WeftdApi.Answer a = k % 2 == 0
                    ? call(h, "POST", "/v1/networks/create", Map.of("Name", "fx" + k, "Driver", "overlay"))
                    : runAnswer(h, "c" + h + "-" + next.getAndIncrement(), List.of("fa"));
            long took = ms(t);
            k++;
            if (a.status() != 503 || !a.json().path("message").isTextual() || a.json().path("message").asText().isBlank()) {
                throw new IllegalStateException("during the etcd outage a global operation answered " + a + " after " + took + " ms");
            }
            if (took > 2000) { // counted, not thrown: the suite test asserts the limit, the benchmark reports it
                late++;
                log.printf("faults: during the outage a global operation took %d ms to answer 503 %s%n", took, a.body());
            }
            slowest503 = Math.max(slowest503, took);
            refused++;
            sleep(500);
        }
        if (lost > 0) {
            throw new IllegalStateException(lost + " of " + pings + " pings from " + from + " to " + target + " were lost during the outage");
        }
        long back = System.nanoTime();
        c.store().startAll(killed);
        long membersReady = ms(back);
        long firstSuccess = 0;
        while (true) {
            WeftdApi.Answer a = runAnswer(0, "c0-" + next.getAndIncrement(), List.of("fa"));
            if (a.status() / 100 == 2) {
                firstSuccess = ms(back);
                break;
            }
            if (ms(back) > 5000 + membersReady) {
                throw new IllegalStateException("after the etcd outage a run still fails: " + a);
            }
            log.printf("faults: %d ms after the members' return a run answered %s%n", ms(back), a);
            sleep(100);
        }
        long converged = awaitConsistent("after the etcd outage", 5) + membersReady;
        Map<String, Long> f = new LinkedHashMap<>();
        f.put("outage s", (long) outageSeconds);
        f.put("operations refused with 503", (long) refused);
        f.put("slowest 503 ms", slowest503);
        f.put("503s slower than 2 s", (long) late);
        f.put("pings across hosts during the outage", (long) pings);
        f.put("pings lost", (long) lost);
        f.put("members serving again after ms", membersReady);
        f.put("first run succeeded after ms", firstSuccess);
        f.put("consistent after ms", Math.max(converged, firstSuccess));
        log.printf("faults: majority loss: %s%n", f);
        return new Result("etcd majority lost", f);
    }

    // ---- 3. a host cut off ----

    /**
     * Cuts host {@code h} off the underlay until its host key expires and every other host has
     * dropped its entries towards it; then heals it and waits until it has a host key again, the
     * others' entries are back and a container elsewhere reaches its container.
     */
    public Result partition(int h) {
        String victim = firstContainerOn(h);
        String victimAddress = address(h, victim, "fa");
        int peer = (h + 1) % c.size();
        String netns = c.api(peer).get("/v1/sandboxes/" + firstContainerOn(peer)).path("Key").asText();
        long cut = System.nanoTime();
        c.cut(h);
        unreachable.add(h);
        log.printf("faults: cut host %d off%n", h);
        long keyGone = await("host " + h + "'s key to expire", 30, () -> !view.liveHosts().contains(h));
        long dropped = awaitConsistent("with host " + h + " cut off", 10) + keyGone;
        long heal = System.nanoTime();
        c.heal(h);
        unreachable.remove(h);
        long keyBack = await("host " + h + "'s key to return", 30, () -> view.liveHosts().contains(h));
        long consistent = awaitConsistent("after host " + h + " healed", 15) + keyBack;
        long reachable = await("host " + h + "'s container to answer a ping", 15, () -> ping(netns, victimAddress));
        Map<String, Long> f = new LinkedHashMap<>();
        f.put("host key expired after ms", keyGone);
        f.put("entries dropped everywhere after ms", dropped);
        f.put("host key back after heal ms", keyBack);
        f.put("entries back after heal ms", consistent);
        f.put("container reachable after heal ms", Math.max(reachable, ms(heal)));
        log.printf("faults: partition of host %d: %s (cut at %d ms)%n", h, f, ms(cut));
        return new Result("host cut off", f);
    }

    // ---- 4. weftd SIGKILLed during waves of run/rm ----

    /**
     * {@code waves} waves of {@code perWave} runs and removals on random hosts; during each, weftd
     * on {@code kills} random hosts is SIGKILLed, and restarted after the wave. After each wave the
     * cluster must be consistent: no address held twice, no entry for a container that is gone,
     * no orphaned endpoint.
     */
    public Result crashes(int waves, int perWave, int kills) {
        long slowestConvergence = 0;
        AtomicInteger cutShort = new AtomicInteger();
        for (int w = 0; w < waves; w++) {
            List<Integer> victims = new ArrayList<>();
            while (victims.size() < kills) {
                int v = random.nextInt(c.size());
                if (!victims.contains(v)) {
                    victims.add(v);
                }
            }
            Set<String> uncertain = ConcurrentHashMap.newKeySet();
            long killAfter = 100 + random.nextInt(1500);
            List<Long> seeds = new ArrayList<>();
            for (int i = 0; i < perWave; i++) {
                seeds.add(random.nextLong());
            }
            try (java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
                for (long s : seeds) {
                    pool.execute(() -> {
                        try {
                            runOrRemove(new Random(s), uncertain);
                        } catch (RuntimeException e) {
                            cutShort.incrementAndGet(); // the weftd asked died: nothing was acknowledged
                        }
                    });
                }
                sleep(killAfter);
                victims.forEach(v -> {
                    unreachable.add(v);
                    c.weftd(v).kill();
                });
                log.printf("faults: wave %d: SIGKILLed weftd on hosts %s %d ms into the wave%n", w, victims, killAfter);
            }
            for (int v : victims) {
                c.weftd(v).restart();
                unreachable.remove(v);
            }
            // what a killed weftd was asked to do may or may not have happened: its host says which
            for (String name : uncertain) {
                int h = ClusterView.hostOf(name);
                WeftdApi.Answer a = call(h, "GET", "/v1/containers/" + name, null);
                log.printf("faults: after the restart, %s on host %d: %d%n", name, h, a.status());
                if (a.status() == 404) {
                    expected.remove(name);
                } else if (!expected.containsKey(name)) {
                    ok(call(h, "DELETE", "/v1/containers/" + name + "?force=true", null)); // finished after all: tidy up
                }
            }
            slowestConvergence = Math.max(slowestConvergence, awaitConsistent("after wave " + w + " (killed " + victims + ")", 20));
        }
        Map<String, Long> f = new LinkedHashMap<>();
        f.put("waves", (long) waves);
        f.put("operations per wave", (long) perWave);
        f.put("weftd killed per wave", (long) kills);
        f.put("requests cut short by a kill", (long) cutShort.get());
        f.put("containers at the end", (long) expected.size());
        f.put("slowest convergence after restart ms", slowestConvergence);
        log.printf("faults: crashes: %s%n", f);
        return new Result("weftd SIGKILLed", f);
    }

    /** Runs a container on a random host, or removes one of its containers; the names touched stay uncertain until answered. */
    private void runOrRemove(Random r, Set<String> uncertain) {
        int h = r.nextInt(c.size());
        List<String> mine = expected.keySet().stream().filter(n -> ClusterView.hostOf(n) == h).sorted().toList();
        if (mine.size() > 1 && r.nextBoolean()) {
            String victim = mine.get(r.nextInt(mine.size()));
            uncertain.add(victim);
            WeftdApi.Answer a = call(h, "DELETE", "/v1/containers/" + victim + "?force=true", null);
            if (a.status() / 100 == 2) {
                expected.remove(victim);
                uncertain.remove(victim);
            } else {
                log.printf("faults: rm %s on host %d answered %s%n", victim, h, a);
            }
        } else {
            String name = "c" + h + "-" + next.getAndIncrement();
            uncertain.add(name);
            WeftdApi.Answer a = runAnswer(h, name, List.of(r.nextBoolean() ? "fa" : "fb"));
            if (a.status() / 100 == 2) {
                uncertain.remove(name);
            } else {
                log.printf("faults: run %s on host %d answered %s%n", name, h, a);
            }
        }
    }

    // ---- helpers ----

    private void run(int h, List<String> networks) {
        String name = "c" + h + "-" + next.getAndIncrement();
        ok(runAnswer(h, name, networks));
    }

    private WeftdApi.Answer runAnswer(int h, String name, List<String> networks) {
        WeftdApi.Answer a = call(h, "POST", "/v1/containers/create", Map.of("Name", name, "Networks", networks,
                "Cmd", List.of("sleep", "86400")));
        if (a.status() / 100 == 2) {
            expected.put(name, ConcurrentHashMap.newKeySet());
            expected.get(name).addAll(networks);
        }
        return a;
    }

    /** One API call that gives up after 30 s (a weftd waiting on its store must not hang the scenario). */
    private WeftdApi.Answer call(int h, String method, String path, Object body) {
        CompletableFuture<WeftdApi.Answer> f = CompletableFuture.supplyAsync(() -> c.api(h).call(method, path, body), CALLS);
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(method + " " + path + " on host " + h + " did not answer within 30 s");
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void ok(WeftdApi.Answer a) {
        if (a.status() / 100 != 2) {
            throw new IllegalStateException("answered " + a);
        }
    }

    private String firstContainerOn(int h) {
        return expected.keySet().stream().filter(n -> ClusterView.hostOf(n) == h && expected.get(n).contains("fa"))
                .sorted().findFirst().orElseThrow(() -> new IllegalStateException("no container on host " + h + " on fa"));
    }

    private String address(int h, String container, String network) {
        String a = c.api(h).get("/v1/sandboxes/" + container).path("Networks").path(network).path("IPv4Address").asText();
        return a.contains("/") ? a.substring(0, a.indexOf('/')) : a;
    }

    private static boolean ping(String netns, String address) {
        try {
            Process p = new ProcessBuilder("nsenter", "--net=" + netns, "ping", "-c", "1", "-W", "1", address)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor() == 0;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Waits until the store and every reachable host agree with what was acknowledged; the time it took. */
    public long awaitConsistent(String when, int seconds) {
        long start = System.nanoTime();
        List<String> problems;
        while (true) {
            Set<Integer> reachable = new TreeSet<>();
            for (int h = 0; h < c.size(); h++) {
                if (!unreachable.contains(h)) {
                    reachable.add(h);
                }
            }
            Map<String, Set<String>> want = new LinkedHashMap<>();
            expected.forEach((name, nets) -> want.put(name, new HashSet<>(nets)));
            problems = view.problems(want, reachable);
            if (problems.isEmpty()) {
                return ms(start);
            }
            if (ms(start) > seconds * 1000L) {
                throw new IllegalStateException("not consistent " + when + " within " + seconds + " s: "
                        + String.join("; ", problems.subList(0, Math.min(20, problems.size()))));
            }
            sleep(100);
        }
    }

    /** The leader's index once it is another than {@code not}, waiting up to 20 s. */
    private int awaitLeader(int not) {
        int[] found = {-1};
        await("an etcd leader other than member " + not, 20, () -> {
            found[0] = c.store().leader();
            return found[0] >= 0 && found[0] != not;
        });
        return found[0];
    }

    private static long await(String what, int seconds, java.util.function.BooleanSupplier condition) {
        long start = System.nanoTime();
        while (!condition.getAsBoolean()) {
            if (ms(start) > seconds * 1000L) {
                throw new IllegalStateException("timed out after " + seconds + " s waiting for " + what);
            }
            sleep(100);
        }
        return ms(start);
    }

    private static long ms(long since) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
    }

    private static void sleep(long ms) {
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    /** Every container still acknowledged (for reports). */
    public int containers() {
        return expected.size();
    }
}
