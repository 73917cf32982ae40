package dev.weft.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/** Prints the machine and the results as Markdown, ready to paste into BENCHMARKS.md. */
final class Report {
    private final PrintStream out;

    Report(PrintStream out) {
        this.out = out;
    }

    void machine(AttachBenchmark.Options options) {
        out.println("- date: " + ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                .replaceAll("\\.\\d+", ""));
        out.println("- machine: nproc " + Runtime.getRuntime().availableProcessors() + ", kernel "
                + read("/proc/sys/kernel/osrelease") + ", CPU " + cpuModel());
        out.println("- iproute2: " + ipVersion());
        out.println("- java: " + System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name")
                + " " + Runtime.version());
        out.println("- rounds: " + options.rounds() + " recorded per tool after " + options.warmup()
                + " warm-up rounds per tool; the order of the tools reverses every round; each round's container"
                + " namespace is made and removed untimed, then " + options.settleMs() + " ms untimed pause");
        out.println();
    }

    void table(List<Samples> rows) {
        out.println("| operation | tool | N | median ms | p95 ms | min ms | max ms | ratio ip/weft (medians) |");
        out.println("|---|---|--:|--:|--:|--:|--:|--:|");
        for (Samples s : rows) {
            out.println("| " + s.operation() + " | " + s.tool() + " | " + s.count() + " | " + ms(s.medianMs())
                    + " | " + ms(s.percentileMs(95)) + " | " + ms(s.minMs()) + " | " + ms(s.maxMs()) + " | "
                    + ratio(s, rows) + " |");
        }
        out.println();
        out.println("Median: middle value (mean of the two middle ones for even N); p95: nearest rank.");
    }

    /** The weft attach taken apart: where its time goes. */
    void steps(List<Samples> steps) {
        out.println();
        out.println("weft attach, step by step (same rounds):");
        out.println();
        out.println("| step | N | median ms | p95 ms |");
        out.println("|---|--:|--:|--:|");
        for (Samples s : steps) {
            out.println("| " + s.operation() + " | " + s.count() + " | " + ms(s.medianMs()) + " | "
                    + ms(s.percentileMs(95)) + " |");
        }
    }

    /** For an ip row, its median over the weft row's median for the same operation; blank otherwise. */
    private static String ratio(Samples s, List<Samples> rows) {
        if (!s.tool().startsWith("ip")) {
            return "";
        }
        return rows.stream()
                .filter(w -> w.operation().equals(s.operation()) && w.tool().startsWith("weft"))
                .findFirst()
                .map(w -> String.format(Locale.ROOT, "%.2fx", s.medianMs() / w.medianMs()))
                .orElse("");
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String cpuModel() {
        try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String ipVersion() {
        try {
            Process p = new ProcessBuilder("ip", "-V").redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return text;
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
