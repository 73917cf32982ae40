package dev.weft.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process's resident memory and CPU time from /proc (Linux's USER_HZ is 100 on every supported architecture). */
record ProcStats(long rssKib, long cpuTicks) {
    static final int TICKS_PER_SECOND = 100;

    static ProcStats of(long pid) {
        try {
            return parse(Files.readString(Path.of("/proc", Long.toString(pid), "status")),
                    Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException e) {
            throw new UncheckedIOException("process " + pid + " is gone: " + e.getMessage(), e);
        }
    }

    /** VmRSS from /proc/PID/status; utime + stime (fields 14 and 15) from /proc/PID/stat. */
    static ProcStats parse(String status, String stat) {
        long rss = status.lines().filter(l -> l.startsWith("VmRSS:")).findFirst()
                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).orElseThrow(() -> new IllegalArgumentException("no VmRSS"));
        // the command (field 2) is in parentheses and may hold spaces: count fields after its closing one
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        return new ProcStats(rss, Long.parseLong(f[11]) + Long.parseLong(f[12]));
    }

    /** The CPU used between {@code before} and this, as a share of one core over {@code nanos}, in percent. */
    double cpuPercentSince(ProcStats before, long nanos) {
        return (cpuTicks - before.cpuTicks) * 100.0 / TICKS_PER_SECOND / (nanos / 1e9);
    }
}
