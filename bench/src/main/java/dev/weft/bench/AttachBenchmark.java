package dev.weft.bench;

import dev.weft.linux.netns.Netns;
import dev.weft.linux.rtnl.Rtnetlink;

import java.util.List;

/**
 * Whole-process benchmark of attaching a container: create a veth pair with the container end
 * created directly in a fresh namespace, add an address, set both ends up, add a default route;
 * then detach (delete the host end). Done N times through weft's linux layer and N times through
 * the {@code ip -batch} floor in the same run, alternating, after a warm-up. Prints medians, p95
 * and the ratio ip/weft as Markdown on standard output; progress goes to standard error.
 *
 * <p>Usage: {@code AttachBenchmark [-n N] [-w WARMUP] [-s SETTLE_MS]} (defaults 200, 20, 0). Needs root.
 */
public final class AttachBenchmark {
    private static final String USAGE = """
            usage: run-attach [-n N] [-w WARMUP] [-s SETTLE_MS]
              -n, --rounds N    recorded rounds per tool (default 200)
              -w, --warmup W    unrecorded warm-up rounds per tool first, for the JIT (default 20)
              -s, --settle MS   untimed pause after each round's namespace removal, to keep the
                                kernel's background namespace teardown out of the next timing
                                (default 0: on this 2-core VM a pause made no tool faster)
            Each round attaches and detaches one container with weft's linux layer and two with ip -batch
            (processes started by a waiting bash, and by this JVM), reversing the order every round.
            Needs root (it creates network namespaces named wtb-PID-*; all are removed at the end).""";

    private AttachBenchmark() {
    }

    record Options(int rounds, int warmup, int settleMs) {
        static Options parse(String[] args) {
            int rounds = 200;
            int warmup = 20;
            int settle = 0;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "-n", "--rounds" -> rounds = number(args, ++i);
                    case "-w", "--warmup" -> warmup = number(args, ++i);
                    case "-s", "--settle" -> settle = number(args, ++i);
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]);
                }
            }
            if (rounds < 1 || warmup < 0 || settle < 0) {
                throw new IllegalArgumentException("N must be at least 1, WARMUP and SETTLE_MS at least 0");
            }
            return new Options(rounds, warmup, settle);
        }

        private static int number(String[] args, int i) {
            if (i >= args.length) {
                throw new IllegalArgumentException(args[i - 1] + " needs a number");
            }
            try {
                return Integer.parseInt(args[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(args[i - 1] + " needs a number, not " + args[i]);
            }
        }
    }

    public static void main(String[] args) {
        if (List.of(args).contains("-h") || List.of(args).contains("--help")) {
            System.out.println(USAGE);
            return;
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("run-attach: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        int status = 0;
        try (Sandboxes sandboxes = new Sandboxes()) {
            List<String> swept = sandboxes.sweepStale();
            if (!swept.isEmpty()) {
                System.err.println("removed leftovers of earlier killed runs: " + swept);
            }
            run(options, sandboxes);
            sandboxes.removeAll();
            List<String> left = sandboxes.leftovers();
            System.err.println(left.isEmpty() ? "leak check: no wtb namespaces left" : "LEAK: " + left);
            status = left.isEmpty() ? 0 : 1;
        } catch (Exception e) {
            System.err.println("run-attach: benchmark failed: " + e);
            e.printStackTrace();
            status = 1;
        }
        System.exit(status);
    }

    private static void run(Options options, Sandboxes sandboxes) {
        Netns hostNs = sandboxes.create("host");
        try (Rtnetlink host = Rtnetlink.open(hostNs); Spawner shell = new ShellSpawner();
             Spawner jvm = new JvmSpawner()) {
            WeftAttacher weft = new WeftAttacher(host);
            List<Attacher> tools = List.of(weft, new IpBatchAttacher(hostNs.name(), sandboxes.dir(), shell),
                    new IpBatchAttacher(hostNs.name(), sandboxes.dir(), jvm));
            List<Spawner> spawners = List.of(shell, jvm);
            Results results = new Results(tools, spawners);
            Verifier verifier = new Verifier(host);
            int total = options.warmup() + options.rounds();
            for (int round = 0; round < total; round++) {
                boolean record = round >= options.warmup();
                for (int k = 0; k < tools.size(); k++) {
                    int t = round % 2 == 0 ? k : tools.size() - 1 - k;
                    long[] nanos = once(tools.get(t), round * tools.size() + k, sandboxes, verifier);
                    settle(options);
                    if (record) {
                        results.add(t, nanos, tools.get(t) == weft ? weft.lastSteps() : null);
                    }
                }
                for (int k = 0; k < spawners.size(); k++) {
                    long spawned = spawners.get(k).time(List.of(List.of("/bin/true")));
                    if (record) {
                        results.spawn(k, spawned);
                    }
                }
                if ((round + 1) % 20 == 0 || round + 1 == total) {
                    System.err.printf("round %d/%d%s%n", round + 1, total, record ? "" : " (warm-up)");
                }
            }
            Report report = new Report(System.out);
            report.machine(options);
            report.table(results.rows());
            report.steps(results.steps());
        } finally {
            hostNs.close();
        }
    }

    private static void settle(Options options) {
        if (options.settleMs() == 0) {
            return;
        }
        try {
            Thread.sleep(options.settleMs());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** One attach and detach by {@code tool} in a fresh container namespace; returns {attach, detach} ns. */
    private static long[] once(Attacher tool, int id, Sandboxes sandboxes, Verifier verifier) {
        Netns container = sandboxes.create("c" + id);
        try {
            Slot slot = Slot.create(id, container);
            tool.prepare(slot);
            long attached = tool.attach(slot);
            verifier.attached(slot, tool.attachLabel());
            long detached = tool.detach(slot);
            verifier.detached(slot, tool.detachLabel());
            return new long[] {attached, detached};
        } finally {
            sandboxes.dispose(container);
        }
    }
}
