package dev.weft.testkit;

import dev.weft.linux.Shell;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * N simulated hosts each running weftd as a process, sharing a 3-member etcd cluster that runs on
 * three further simulated hosts, with the faults {@link ClusterFaults} injects: etcd members
 * killed and started, a host's underlay port cut by an nftables drop in the underlay namespace,
 * weftd SIGKILLed and restarted. Closing it removes the rules, stops the daemons and etcd, kills
 * every container process and deletes the namespaces and the run directory, also after a failure.
 */
public final class FaultCluster implements AutoCloseable {
    private static final int STORE_MEMBERS = 3;
    private final SimulatedHosts hosts;
    private final RunDir dir = new RunDir();
    private final List<WeftdProcess> daemons;
    private final List<WeftdApi> apis = new ArrayList<>();
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private StoreCluster store;

    private FaultCluster(int weftHosts) {
        hosts = SimulatedHosts.create(weftHosts + STORE_MEMBERS);
        daemons = Collections.synchronizedList(new ArrayList<>(Collections.nCopies(weftHosts, null)));
    }

    /** Builds the hosts and etcd, and starts a weftd on each of the {@code weftHosts} hosts (two at a time). */
    public static FaultCluster start(int weftHosts) {
        FaultCluster c = new FaultCluster(weftHosts);
        try {
            c.store = StoreCluster.etcd(c.hosts.hosts().subList(weftHosts, weftHosts + STORE_MEMBERS), c.dir.path().resolve("etcd"));
            try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
                List<Future<?>> started = new ArrayList<>();
                for (int i = 0; i < weftHosts; i++) {
                    int h = i;
                    started.add(pool.submit(() -> c.daemons.set(h, WeftdProcess.sharing(c.hosts.get(h),
                            c.dir.path().resolve("h" + h), c.store.url(), "--log-level", "warning"))));
                }
                for (Future<?> f : started) {
                    f.get();
                }
            }
            for (int i = 0; i < weftHosts; i++) {
                c.apis.add(new WeftdApi(c.daemons.get(i).socket()));
            }
            return c;
        } catch (Exception e) {
            c.close();
            throw e instanceof RuntimeException r ? r : new IllegalStateException("cannot start the cluster", e);
        }
    }

    /** How many hosts run weftd (the etcd hosts not counted). */
    public int size() {
        return apis.size();
    }

    public WeftdApi api(int h) {
        return apis.get(h);
    }

    public SimulatedHost host(int h) {
        return hosts.get(h);
    }

    public WeftdProcess weftd(int h) {
        return daemons.get(h);
    }

    public StoreCluster store() {
        return store;
    }

    /** Runs etcdctl against every member from the first etcd host; its output. */
    public String etcdctl(String... args) {
        List<String> argv = new ArrayList<>(List.of("etcdctl", "--endpoints", store.url().substring("etcd://".length()),
                "--command-timeout", "3s"));
        argv.addAll(List.of(args));
        return hosts.get(size()).exec(argv.toArray(String[]::new));
    }

    /** Cuts host {@code h} off the underlay: its bridge port in the underlay namespace drops every frame. */
    public void cut(int h) {
        nft("add table bridge " + cutTable(h) + "\n"
                + "add chain bridge " + cutTable(h) + " forward { type filter hook forward priority 0; policy accept; }\n"
                + "add rule bridge " + cutTable(h) + " forward iifname \"h" + h + "\" drop\n"
                + "add rule bridge " + cutTable(h) + " forward oifname \"h" + h + "\" drop\n");
    }

    /** Undoes {@link #cut}. */
    public void heal(int h) {
        nft("delete table bridge " + cutTable(h) + "\n");
    }

    private static String cutTable(int h) {
        return "weft-fault-cut-h" + h;
    }

    private void nft(String script) {
        try {
            java.nio.file.Path f = java.nio.file.Files.createTempFile(dir.path(), "nft", ".rules");
            java.nio.file.Files.writeString(f, script);
            Shell.run("nsenter", "--net=" + hosts.underlay().path(), "nft", "-f", f.toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Copies every weftd's log and every etcd member's to {@code to} (for a failed run's post-mortem). */
    public void saveLogs(java.nio.file.Path to) {
        try {
            java.nio.file.Files.createDirectories(to);
            for (int h = 0; h < daemons.size(); h++) {
                if (daemons.get(h) != null) {
                    java.nio.file.Files.writeString(to.resolve("weftd-h" + h + ".log"), daemons.get(h).log());
                }
            }
            for (int m = 0; store != null && m < store.size(); m++) {
                java.nio.file.Files.writeString(to.resolve("etcd-" + m + ".log"), store.member(m).log());
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Stops everything; a second call (a shutdown hook after a normal end) does nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (int i = 0; i < daemons.size(); i++) {
            WeftdProcess w = daemons.get(i);
            if (w != null) {
                try {
                    w.close();
                } catch (RuntimeException ignored) {
                    // the others still go
                }
            }
        }
        if (store != null) {
            store.close();
        }
        dir.close(); // kills the containers' processes and unmounts their namespaces
        hosts.close(); // the underlay namespace and its rules go with it
    }
}
