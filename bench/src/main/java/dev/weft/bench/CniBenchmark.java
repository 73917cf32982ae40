package dev.weft.bench;

import dev.weft.daemon.kernel.HostKernel;

import dev.weft.daemon.Weftd;
import dev.weft.daemon.WeftdOptions;
import dev.weft.linux.netns.Netns;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * weft's CNI plugin executable (the C shim, handing each call to a running weftd) against the
 * reference bridge plugin (Debian's containernetworking-plugins 1.1, host-local IPAM, with and
 * without ipMasq), every ADD and DEL one process started by a waiting bash inside the tool's own
 * host namespace, as a runtime starts them, on a fresh container namespace made untimed. weftd
 * runs in this JVM (a long-lived daemon, as in production), serving weft's networks in its own host
 * namespace. The tools' order reverses every round. Markdown on stdout.
 * Usage: CniBenchmark SHIM [ROUNDS [WARMUP]] (default 200 30).
 */
public final class CniBenchmark {
    /** weft-only ADD/DEL cycles first, so that weftd's JIT is warm when the rounds are recorded. */
    private static final int WEFT_WARMUP = 300;

    private CniBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path shim = Path.of(args[0]).toAbsolutePath();
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        Sandboxes.runAndExit((sandboxes, runDir) -> {
            Path dir = sandboxes.dir();
            try (ShellSpawner shell = new ShellSpawner(); Netns weftHost = sandboxes.create("weft")) {
                Path socket = dir.resolve("weft.sock");
                Files.createDirectories(dir);
                try (Weftd weftd = Weftd.start(new WeftdOptions(socket, dir.resolve("weft-data"), runDir, "warn"), HostKernel.of(weftHost))) {
                    List<PeerPlugin> tools = List.of(
                            PeerPlugin.weft(weftHost, dir.resolve("weft"), shell, shim, socket, false, "198.51.100.0/25"),
                            PeerPlugin.weft(weftHost, dir.resolve("weftm"), shell, shim, socket, true, "198.51.100.128/25"),
                            PeerPlugin.cni(sandboxes.create("cni"), dir.resolve("cni"), shell, false),
                            PeerPlugin.cni(sandboxes.create("cnimasq"), dir.resolve("cnimasq"), shell, true));
                    for (int i = 0; i < WEFT_WARMUP; i++) {
                        round(tools.get(i % 2), sandboxes, "w" + i);
                    }
                    print(rounds(tools, sandboxes, rounds, warmup), rounds, warmup);
                }
            }
        });
    }

    private static List<Samples> rounds(List<PeerPlugin> tools, Sandboxes sandboxes, int rounds, int warmup) {
        List<Samples> rows = new ArrayList<>();
        for (PeerPlugin t : tools) {
            rows.add(new Samples("ADD", t.label()));
            rows.add(new Samples("DEL", t.label()));
        }
        Rounds.run(tools.size(), warmup, rounds, rows, (t, round) -> round(tools.get(t), sandboxes, "r" + round + "t" + t));
        return rows;
    }

    private static long[] round(PeerPlugin tool, Sandboxes sandboxes, String label) {
        Netns container = sandboxes.create(label);
        try {
            return new long[] {tool.attach(container), tool.detach(container)};
        } finally {
            sandboxes.dispose(container);
        }
    }

    private static void print(List<Samples> rows, int rounds, int warmup) {
        System.out.println("- date: " + ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                .replaceAll("\\.\\d+", ""));
        System.out.println("- machine: nproc " + Runtime.getRuntime().availableProcessors() + ", java " + Runtime.version());
        System.out.println("- " + WEFT_WARMUP + " weft-only warm-up cycles, then " + rounds + " recorded rounds per tool after "
                + warmup + " warm-up rounds; tool order reverses every round; every ADD and DEL is one process started by"
                + " a waiting bash (nsenter into the tool's host namespace, then the plugin)");
        System.out.println();
        System.out.println("| operation | tool | N | median ms | p95 ms | min ms | max ms |");
        System.out.println("|---|---|--:|--:|--:|--:|--:|");
        for (Samples s : rows) {
            System.out.printf(Locale.ROOT, "| %s | %s | %d | %.2f | %.2f | %.2f | %.2f |%n", s.operation(), s.tool(), s.count(),
                    s.medianMs(), s.percentileMs(95), s.minMs(), s.maxMs());
        }
        System.out.println();
        System.out.println("| ratio of medians | ADD | DEL |");
        System.out.println("|---|--:|--:|");
        ratio(rows, "weft CNI plugin / CNI bridge 1.1", 0, 4);
        ratio(rows, "weft CNI plugin +ipMasq / CNI bridge 1.1 +ipMasq", 2, 6);
        System.out.println();
        double add = rows.get(2).medianMs() / rows.get(6).medianMs();
        System.out.printf(Locale.ROOT, "Goals: ADD median <= the bridge plugin's: %s (%.2fx); with ipMasq <= 1/3 of it: %s (%.2fx)%n",
                rows.get(0).medianMs() <= rows.get(4).medianMs() ? "met" : "NOT met", rows.get(0).medianMs() / rows.get(4).medianMs(),
                add <= 1.0 / 3 ? "met" : "NOT met", add);
    }

    private static void ratio(List<Samples> rows, String label, int weft, int peer) {
        System.out.printf(Locale.ROOT, "| %s | %.2fx | %.2fx |%n", label, rows.get(weft).medianMs() / rows.get(peer).medianMs(),
                rows.get(weft + 1).medianMs() / rows.get(peer + 1).medianMs());
    }
}
