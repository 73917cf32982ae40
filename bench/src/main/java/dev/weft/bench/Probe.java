package dev.weft.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Probe loops run inside a container's network namespace: each tries once, sleeps, tries again,
 * prints "ok" and ends at the first success (or ends silently at its deadline).
 */
final class Probe {
    private Probe() {
    }

    /**
     * Single pings ({@code ping -c 1 -W 0.05}) {@code intervalMs} apart. One long-running ping is no
     * good here: iputils' ping stopped sending after its first "Destination Host Unreachable"
     * errors (the probe's ARP entry FAILED before the address existed), while a fresh ping
     * reached the address at once.
     */
    static List<String> ping(String netns, String ip, int intervalMs, int deadlineSeconds) {
        return loop(netns, "ping -n -q -c 1 -W 0.05 " + ip + " >/dev/null 2>&1", intervalMs, deadlineSeconds);
    }

    /**
     * DNS queries for {@code name} to weft's embedded server (127.0.0.11 in the namespace) until
     * the answer is exactly {@code ip}.
     */
    static List<String> dns(String netns, String name, String ip, int intervalMs, int deadlineSeconds) {
        return loop(netns, "[ \"$(dig @127.0.0.11 +short +time=1 +tries=1 " + name + " A)\" = " + ip + " ]",
                intervalMs, deadlineSeconds);
    }

    private static List<String> loop(String netns, String test, int intervalMs, int deadlineSeconds) {
        return List.of("nsenter", "--net=" + netns, "timeout", Integer.toString(deadlineSeconds), "sh", "-c",
                "until " + test + "; do sleep " + String.format(Locale.ROOT, "%.3f", intervalMs / 1000.0)
                        + "; done; echo ok");
    }

    /**
     * Reads a probe loop's output until it reports success; 0 when it did, 1 when it reached its
     * deadline without.
     */
    static int firstAnswer(Process p) {
        try (var in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.equals("ok")) {
                    p.destroy();
                    return 0;
                }
            }
            return 1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
