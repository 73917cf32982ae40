package dev.weft.testkit;

import dev.weft.linux.Shell;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * A private Open vSwitch for one test or one simulated host: its own ovsdb-server (database file,
 * {@code punix:} socket, unixctl, pid and log files) and, when asked, its own ovs-vswitchd, all in
 * a directory /tmp/wtovs... (OVS_RUNDIR too, so nothing touches /var/run/openvswitch). Started
 * inside a simulated host's namespace when one is given. Close it and both daemons stop and the
 * directory goes; the distribution's own Open vSwitch (if any runs) is never used.
 */
public final class OpenVswitch implements AutoCloseable {
    public static final String DIR_PREFIX = "wtovs";
    private static final String SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema";

    private final Path dir;
    private final SimulatedHost host;
    private Process ovsdb;
    private Process vswitchd;

    private OpenVswitch(Path dir, SimulatedHost host) {
        this.dir = dir;
        this.host = host;
    }

    /** ovsdb-server only, in this machine's namespace (for OVSDB client tests). */
    public static OpenVswitch database() {
        return start(null, false);
    }

    /** ovsdb-server and ovs-vswitchd inside {@code host} (null: this machine's namespace). */
    public static OpenVswitch start(SimulatedHost host, boolean withVswitchd) {
        Path dir = Path.of("/tmp", DIR_PREFIX + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 24, 1 << 30), 36));
        OpenVswitch ovs = new OpenVswitch(dir, host);
        try {
            Files.createDirectories(dir);
            Shell.run("ovsdb-tool", "create", dir.resolve("conf.db").toString(), SCHEMA);
            ovs.ovsdb = ovs.launch("ovsdb-server", dir.resolve("conf.db").toString(), "--remote=punix:" + ovs.socket(),
                    "--unixctl=" + dir.resolve("ovsdb-server.ctl"), "--pidfile=" + dir.resolve("ovsdb-server.pid"),
                    "--log-file=" + dir.resolve("ovsdb-server.log"));
            ovs.awaitFile(ovs.socket(), ovs.ovsdb);
            Shell.run("ovs-vsctl", "--db=" + ovs.dbUrl(), "--no-wait", "init");
            if (withVswitchd) {
                ovs.startVswitchd();
            }
            return ovs;
        } catch (IOException | RuntimeException e) {
            try {
                ovs.close();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    public Path dir() {
        return dir;
    }

    public Path socket() {
        return dir.resolve("db.sock");
    }

    /** {@code unix:PATH}, as loris's and ovs-vsctl's --db take it. */
    public String dbUrl() {
        return "unix:" + socket();
    }

    /** Runs ovs-vsctl against this database (test setup and cross-checks only); --no-wait without ovs-vswitchd. */
    public String vsctl(String... args) {
        List<String> argv = new ArrayList<>(List.of("ovs-vsctl", "--db=" + dbUrl(), "--timeout=10"));
        if (!vswitchdRunning()) {
            argv.add("--no-wait"); // nothing would ever acknowledge the change
        }
        argv.addAll(List.of(args));
        return Shell.run(argv.toArray(String[]::new));
    }

    /** Runs ovs-appctl against this ovs-vswitchd. */
    public String appctl(String... args) {
        List<String> argv = new ArrayList<>(List.of("ovs-appctl", "-t", dir.resolve("ovs-vswitchd.ctl").toString()));
        argv.addAll(List.of(args));
        return Shell.run(argv.toArray(String[]::new));
    }

    /** Starts ovs-vswitchd (again); it rebuilds the datapath from the database. */
    public void startVswitchd() {
        if (vswitchd != null && vswitchd.isAlive()) {
            throw new IllegalStateException("ovs-vswitchd is already running in " + dir);
        }
        Path ctl = dir.resolve("ovs-vswitchd.ctl");
        vswitchd = launch("ovs-vswitchd", dbUrl(), "--unixctl=" + ctl, "--pidfile=" + dir.resolve("ovs-vswitchd.pid"),
                "--log-file=" + dir.resolve("ovs-vswitchd.log"));
        awaitFile(ctl, vswitchd);
    }

    /** Kills ovs-vswitchd with SIGKILL, as a crash would, and waits for it to be gone. */
    public void killVswitchd() {
        if (vswitchd != null) {
            vswitchd.destroyForcibly();
            waitFor(vswitchd);
            vswitchd = null;
        }
    }

    public boolean vswitchdRunning() {
        return vswitchd != null && vswitchd.isAlive();
    }

    private Process launch(String... command) {
        List<String> argv = host == null ? List.of(command) : host.command(command);
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(dir.resolve(command[0] + ".out").toFile());
        pb.environment().put("OVS_RUNDIR", dir.toString());
        pb.environment().put("OVS_DBDIR", dir.toString());
        pb.environment().put("OVS_LOGDIR", dir.toString());
        pb.environment().put("OVS_SYSCONFDIR", dir.toString());
        try {
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command[0], e);
        }
    }

    private void awaitFile(Path file, Process process) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!Files.exists(file)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException(process.info().command().orElse("an Open vSwitch daemon")
                        + " did not come up in " + dir + ": " + log());
            }
            sleep(20);
        }
    }

    private String log() {
        try (Stream<Path> files = Files.list(dir)) {
            StringBuilder sb = new StringBuilder();
            for (Path f : files.filter(p -> p.toString().endsWith(".log") || p.toString().endsWith(".out")).toList()) {
                sb.append('\n').append(f.getFileName()).append(":\n").append(Files.readString(f));
            }
            return sb.toString();
        } catch (IOException e) {
            return "(no logs: " + e.getMessage() + ")";
        }
    }

    private static void waitFor(Process p) {
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stops both daemons (SIGTERM, then SIGKILL) and deletes the directory. */
    @Override
    public void close() {
        for (Process p : new Process[] {vswitchd, ovsdb}) {
            if (p != null && p.isAlive()) {
                p.destroy();
                try {
                    if (!p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                        p.waitFor();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        try (Stream<Path> files = Files.exists(dir) ? Files.walk(dir) : Stream.empty()) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
