package dev.weft.bench;

import dev.weft.linux.netns.Netns;
import dev.weft.testkit.RunDir;
import dev.weft.testkit.WeftdApi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * weftd's footprint, as bin/weftd starts it (its JVM flags included): the time from starting the
 * process to its API answering, empty and with N endpoints in its store, and its resident memory
 * while N endpoints (a sandbox each, joined to one bridge network: a veth pair, an address, DNS
 * records) live on the host. weftd runs in a network namespace of its own ("wtb-PID-fp"), so
 * its bridge, veths and nftables tables go when the namespace does.
 *
 * <p>usage: FootprintBenchmark WEFT_ROOT [ENDPOINTS [STARTS [RESTARTS]]] (defaults 1000, 10 and 3):
 * STARTS timed starts with an empty store, RESTARTS with the endpoints in it. The Markdown report
 * goes to standard output, each table as soon as it is complete.
 */
public final class FootprintBenchmark {
    private static final long SERVE_TIMEOUT_MS = 300_000;

    private final Path weftd;
    private final String netns;
    private final Path dir;
    private final Path runDir;
    private Process process;

    private FootprintBenchmark(Path weftd, String netns, Path dir, Path runDir) {
        this.weftd = weftd;
        this.netns = netns;
        this.dir = dir;
        this.runDir = runDir;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: FootprintBenchmark WEFT_ROOT [ENDPOINTS [STARTS [RESTARTS]]]");
            System.exit(2);
        }
        Path weftd = Path.of(args[0], "bin", "weftd");
        int endpoints = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int starts = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int restarts = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        if (endpoints < 1 || endpoints > 2000 || starts < 1 || restarts < 1) {
            System.err.println("FootprintBenchmark: ENDPOINTS must be 1-2000 (one /21 network), STARTS and RESTARTS at least 1");
            System.exit(2);
        }
        int status;
        try (Sandboxes sandboxes = new Sandboxes(); RunDir run = new RunDir()) {
            Netns ns = sandboxes.create("fp");
            ns.close();
            FootprintBenchmark b = new FootprintBenchmark(weftd, ns.name(), sandboxes.dir(), run.path());
            try {
                b.run(endpoints, starts, restarts);
            } finally {
                b.stop();
                RunDir.unmountAll(run.path());
            }
            status = sandboxes.finish();
        }
        System.exit(status);
    }

    private void run(int endpoints, int starts, int restarts) throws Exception {
        String opts = System.getenv().getOrDefault("WEFTD_JAVA_OPTS", "");
        System.out.println("## weftd footprint: " + endpoints + " endpoints, " + starts + " starts empty, " + restarts
                + " with the endpoints");
        System.out.println();
        System.out.println("- weftd: " + weftd + (opts.isEmpty() ? "" : " with WEFTD_JAVA_OPTS=\"" + opts + "\""));
        System.out.println("- date: " + java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                + ", nproc " + Runtime.getRuntime().availableProcessors() + ", load average "
                + Files.readString(Path.of("/proc/loadavg")).trim().split(" ", 4)[0] + " at the start");
        System.out.println();

        start(); // untimed: warms this JVM's client and the page cache
        stop();
        Samples empty = new Samples("start-up to serving", "empty store");
        for (int i = 0; i < starts; i++) {
            empty.add(start());
            stop();
        }
        System.out.println("| start-up to serving | N | median ms | min ms | p95 ms | max ms |");
        System.out.println("|---|--:|--:|--:|--:|--:|");
        row(empty);

        start();
        WeftdApi api = new WeftdApi(socket());
        api.post("/v1/networks/create", Map.of("Name", "fpnet", "Driver", "bridge",
                "IPAM", Map.of("Config", List.of(Map.of("Subnet", "198.18.0.0/21")))));
        System.out.println();
        System.out.println("| weftd state | RSS MB | peak RSS (VmHWM) MB | threads |");
        System.out.println("|---|--:|--:|--:|");
        memory("network created, no endpoints");
        int step = Math.max(1, endpoints / 4);
        long t0 = System.nanoTime();
        for (int i = 1; i <= endpoints; i++) {
            String container = "fp" + i;
            api.post("/v1/sandboxes/create", Map.of("ContainerID", container));
            api.post("/v1/networks/fpnet/connect", Map.of("Container", container));
            if (i % step == 0 && i < endpoints) {
                memory(i + " endpoints");
            }
        }
        double perEndpoint = (System.nanoTime() - t0) / 1e6 / endpoints;
        memory(endpoints + " endpoints, just created");
        int listed = api.get("/v1/networks/fpnet").path("Containers").size();
        if (listed != endpoints) {
            throw new IllegalStateException("fpnet lists " + listed + " containers, not " + endpoints);
        }
        api.get("/v1/sandboxes");
        TimeUnit.SECONDS.sleep(10);
        memory(endpoints + " endpoints, after inspect, sandbox list and 10 s idle");
        stop();

        System.out.println();
        System.out.printf("Creating the endpoints (a sandbox and a connect each, one at a time): %.1f ms per endpoint.%n",
                perEndpoint);
        Samples full = new Samples("start-up to serving", endpoints + " endpoints in the store");
        for (int i = 0; i < restarts; i++) {
            full.add(start());
            if (i < restarts - 1) {
                stop();
            }
        }
        int restored = new WeftdApi(socket()).get("/v1/networks/fpnet").path("Containers").size();
        if (restored != endpoints) {
            throw new IllegalStateException("after a restart fpnet lists " + restored + " containers, not " + endpoints);
        }
        System.out.println();
        System.out.println("| start-up to serving | N | median ms | min ms | p95 ms | max ms |");
        System.out.println("|---|--:|--:|--:|--:|--:|");
        row(full);
        TimeUnit.SECONDS.sleep(10);
        System.out.println();
        System.out.println("| weftd state | RSS MB | peak RSS (VmHWM) MB | threads |");
        System.out.println("|---|--:|--:|--:|");
        memory(endpoints + " endpoints, restarted, 10 s idle");
    }

    private static void row(Samples s) {
        System.out.printf("| %s | %d | %.0f | %.0f | %.0f | %.0f |%n", s.tool(), s.count(), s.medianMs(), s.minMs(),
                s.percentileMs(95), s.maxMs());
        System.out.flush();
    }

    private Path socket() {
        return dir.resolve("weft.sock");
    }

    /** Starts weftd and returns the nanoseconds until GET /v1/_ping answers 200. */
    private long start() throws Exception {
        List<String> argv = List.of("nsenter", "--net=/run/netns/" + netns, weftd.toString(),
                "-H", "unix://" + socket(), "--data-dir", dir.resolve("data").toString(),
                "--run-dir", runDir.toString(), "--log-level", "warning");
        Files.deleteIfExists(socket());
        WeftdApi api = new WeftdApi(socket());
        long t0 = System.nanoTime();
        process = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("weftd.log").toFile())).start();
        while (true) {
            if (Files.exists(socket())) {
                try {
                    if (api.call("GET", "/v1/_ping", null).status() == 200) {
                        return System.nanoTime() - t0;
                    }
                } catch (UncheckedIOException notYet) {
                    // bound but not yet accepting
                }
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("weftd exited with " + process.exitValue() + "; its log: "
                        + Files.readString(dir.resolve("weftd.log")));
            }
            if ((System.nanoTime() - t0) / 1_000_000 > SERVE_TIMEOUT_MS) {
                throw new IllegalStateException("weftd did not serve within " + SERVE_TIMEOUT_MS + " ms");
            }
            Thread.sleep(0, 500_000);
        }
    }

    /** SIGTERM, as systemd stops it; waits for the exit. */
    private void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        process = null;
    }

    /** Prints a row of weftd's resident memory now: label, RSS MB, peak RSS MB, threads. */
    private void memory(String label) {
        Path status = Path.of("/proc", Long.toString(process.pid()), "status");
        try {
            String rss = "?";
            String hwm = "?";
            String threads = "?";
            for (String line : Files.readAllLines(status)) {
                String[] f = line.split("\\s+");
                switch (f[0]) {
                    case "VmRSS:" -> rss = String.format("%.1f", Long.parseLong(f[1]) / 1024.0);
                    case "VmHWM:" -> hwm = String.format("%.1f", Long.parseLong(f[1]) / 1024.0);
                    case "Threads:" -> threads = f[1];
                    default -> {
                    }
                }
            }
            System.out.println("| " + label + " | " + rss + " | " + hwm + " | " + threads + " |");
            System.out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + status, e);
        }
    }
}
