package dev.weft.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.net.IpPrefix;
import dev.weft.testkit.RunDir;
import dev.weft.testkit.SimulatedHost;
import dev.weft.testkit.SimulatedHosts;
import dev.weft.testkit.WeftdProcess;
import dev.weft.testkit.WeftdApi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * N simulated hosts (testkit's SimulatedHosts on 192.0.2.0/24, MTU 1500), each running a weftd
 * process with {@code --kv-store} pointing at a real store on hosts N+1.. (one etcd, or a 3-member
 * etcd cluster or ZooKeeper ensemble on three hosts of their own: {@link StoreKind}). Closing it
 * removes every container the benchmark made (and kills their processes should weftd fail to),
 * stops the daemons and etcd, and deletes the namespaces and the run directory, also after a
 * failure halfway.
 */
final class OverlayCluster implements AutoCloseable {
    private final SimulatedHosts hosts;
    private final RunDir dir;
    private final StoreKind kind;
    private final StoreKind.Store store;
    private final List<WeftdProcess> daemons = Collections.synchronizedList(new ArrayList<>());
    private final List<WeftdProcess> byHost;
    private final List<WeftdApi> apis = new ArrayList<>();
    /** Containers made through {@link #run}, host index -> name -> pid. */
    private final Map<Integer, Map<String, Long>> containers = new ConcurrentHashMap<>();
    private final Set<Process> processes = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    /** {@code weftHosts} hosts sharing one etcd. */
    OverlayCluster(int weftHosts) {
        this(weftHosts, StoreKind.ETCD);
    }

    OverlayCluster(int weftHosts, StoreKind kind) {
        this.kind = kind;
        hosts = SimulatedHosts.create(weftHosts + kind.members());
        RunDir d = null;
        StoreKind.Store s = null;
        try {
            d = new RunDir();
            s = kind.start(hosts.hosts().subList(weftHosts, weftHosts + kind.members()), d.path().resolve("store"));
            WeftdProcess[] started = new WeftdProcess[weftHosts];
            // started two at a time: ten JVMs at once on two cores take longer than in pairs
            try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
                List<Future<?>> futures = new ArrayList<>();
                for (int i = 0; i < weftHosts; i++) {
                    int h = i;
                    RunDir rd = d;
                    String url = s.url();
                    futures.add(pool.submit(() -> {
                        WeftdProcess w = WeftdProcess.start(hosts.get(h), rd.path().resolve("h" + h), "--kv-store", url,
                                "--bind-interface", "eth0", "--log-level", "warning");
                        daemons.add(w);
                        started[h] = w;
                    }));
                }
                for (Future<?> f : futures) {
                    f.get();
                }
            }
            byHost = List.of(started);
            for (WeftdProcess w : byHost) {
                apis.add(new WeftdApi(w.socket()));
            }
        } catch (Exception e) {
            dir = d;
            store = s;
            closeQuietly(e);
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
        dir = d;
        store = s;
    }

    int size() {
        return byHost.size();
    }

    WeftdApi api(int host) {
        return apis.get(host);
    }

    /** The process id of host {@code h}'s weftd. */
    long pid(int h) {
        return byHost.get(h).process().pid();
    }

    /** The process id of the etcd serving the cluster (the one whose data is in this cluster's run directory). */
    long storePid() {
        String data = dir.path().resolve("store").toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(x -> x.endsWith("/etcd")).orElse(false))
                .filter(p -> p.info().arguments().map(a -> String.join(" ", a).contains(data)).orElse(false))
                .findFirst().orElseThrow(() -> new IllegalStateException("no etcd process with data in " + data)).pid();
    }

    SimulatedHost host(int i) {
        return hosts.get(i);
    }

    /** The host of the store's first member. */
    SimulatedHost storeHost() {
        return hosts.get(byHost.size());
    }

    StoreKind storeKind() {
        return kind;
    }

    String storeUrl() {
        return store.url();
    }

    /** {@code POST /v1/containers/create}: a container running sleep on host {@code h}; its sandbox's namespace path. */
    String run(int h, String name, List<String> networks) {
        create(h, name, networks);
        return sandboxKey(h, name);
    }

    /** {@code POST /v1/containers/create}: a container running sleep on host {@code h}, removed by {@link #close} if still there. */
    void create(int h, String name, List<String> networks) {
        JsonNode c = api(h).post("/v1/containers/create", Map.of("Name", name, "Cmd", List.of("sleep", "86400"),
                "Networks", networks));
        containers.computeIfAbsent(h, k -> new ConcurrentHashMap<>()).put(name, c.path("Pid").asLong());
        if (closed.get()) { // made while a signal's clean-up ran: its process would outlive everything
            ProcessHandle.of(c.path("Pid").asLong()).ifPresent(ProcessHandle::destroyForcibly);
            throw new IllegalStateException("stopped");
        }
    }

    /** Removes a container made by {@link #run} (forced). */
    void remove(int h, String name) {
        api(h).delete("/v1/containers/" + name + "?force=true");
        containers.getOrDefault(h, Map.of()).remove(name);
    }

    String sandboxKey(int h, String name) {
        return api(h).get("/v1/sandboxes/" + name).path("Key").asText();
    }

    /** The IPv4 address (no prefix) of container {@code name}'s endpoint on {@code network}. */
    String address(int h, String name, String network) {
        String a = api(h).get("/v1/sandboxes/" + name).path("Networks").path(network).path("IPv4Address").asText();
        return a.contains("/") ? a.substring(0, a.indexOf('/')) : a;
    }

    /** Runs {@code command} inside the network namespace at {@code netnsPath}; its output; fails on non-zero exit. */
    static String inNetns(String netnsPath, String... command) {
        List<String> argv = new ArrayList<>(List.of("nsenter", "--net=" + netnsPath));
        argv.addAll(List.of(command));
        return exec(argv);
    }

    static String exec(List<String> argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", argv) + " exited with " + p.exitValue() + ": " + out.strip());
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", argv), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts a process that {@link #close} kills if it still runs. */
    Process start(List<String> argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            processes.add(p);
            return p;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", argv), e);
        }
    }

    void forget(Process p) {
        processes.remove(p);
    }

    /** Runs a {@link Probe} loop to its end: 0 when it succeeded, 1 when it reached its deadline. */
    int probe(List<String> loop) {
        Process p = start(loop);
        try {
            return Probe.firstAnswer(p);
        } finally {
            forget(p);
        }
    }

    /** The first etcd member's client URL. */
    private String etcdEndpoint() {
        if (!kind.etcd()) {
            throw new IllegalStateException("the store is " + kind.flag() + ", not etcd");
        }
        return "http://" + store.url().substring("etcd://".length()).split("[,/]")[0];
    }

    /** The first etcd member's own Prometheus metrics. */
    String etcdMetrics() {
        return storeHost().exec("curl", "-s", "--max-time", "5", etcdEndpoint() + "/metrics");
    }

    /** How many leases etcd holds (each weftd holds one for its ephemeral keys). */
    int etcdLeases() {
        String out = storeHost().exec("env", "ETCDCTL_API=3", "etcdctl", "--endpoints", etcdEndpoint(), "lease", "list");
        return (int) out.lines().filter(l -> l.matches("[0-9a-f]{8,}")).count();
    }

    /** etcd's current revision: one more for every write transaction (put, delete or txn with writes). */
    long storeRevision() {
        String out = storeHost().exec("env", "ETCDCTL_API=3", "etcdctl", "--endpoints", etcdEndpoint(),
                "endpoint", "status", "-w", "json");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"revision\":(\\d+)").matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no revision in etcdctl's answer: " + out);
        }
        return Long.parseLong(m.group(1));
    }

    /** Waits until {@code condition} holds, checking every 20 ms, for at most {@code seconds}. */
    static void await(String what, int seconds, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + seconds + " s waiting for " + what);
            }
            sleep(20);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String format(java.net.InetAddress a) {
        return IpPrefix.format(a);
    }

    /** Idempotent; also called from a shutdown hook (Ctrl-C, SIGTERM) while the benchmark runs. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            closeQuietly(null);
        }
    }

    /** Closes the cluster when the JVM is stopped by a signal. */
    OverlayCluster closeOnSignal() {
        Runtime.getRuntime().addShutdownHook(new Thread(this::close, "overlay-cluster-cleanup"));
        return this;
    }

    private void closeQuietly(Exception cause) {
        List<Runnable> steps = new ArrayList<>();
        steps.add(() -> processes.forEach(p -> {
            p.destroyForcibly();
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        steps.add(() -> containers.forEach((h, names) -> {
            for (Map.Entry<String, Long> c : Map.copyOf(names).entrySet()) {
                try {
                    remove(h, c.getKey());
                } catch (RuntimeException e) {
                    // weftd failed: kill the container's process ourselves, it would outlive the namespaces
                    ProcessHandle.of(c.getValue()).filter(p -> p.info().command().map(x -> x.endsWith("sleep")).orElse(false))
                            .ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }));
        steps.add(() -> {
            for (WeftdProcess w : List.copyOf(daemons)) {
                if (w.process().isAlive() && w.terminate() != 0) {
                    System.err.println("weftd exited non-zero; its log: " + w.log());
                }
            }
        });
        steps.add(() -> daemons.forEach(WeftdProcess::close));
        steps.add(() -> {
            if (store != null) {
                store.close();
            }
        });
        steps.add(hosts::close);
        steps.add(() -> {
            if (dir != null) {
                dir.close();
            }
        });
        RuntimeException failure = null;
        for (Runnable step : steps) {
            try {
                step.run();
            } catch (RuntimeException e) {
                if (cause != null) {
                    cause.addSuppressed(e);
                } else if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
