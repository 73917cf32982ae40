package dev.weft.cli;

import dev.weft.testkit.JavaMain;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** weft run as a process of its own against one weftd, as a user types it. */
final class CliProcess {
    private final Path socket;

    CliProcess(Path socket) {
        this.socket = socket;
    }

    record Run(int exit, String out, String err) {
    }

    Run weft(String... args) {
        List<String> all = new ArrayList<>(List.of("-H", "unix://" + socket));
        all.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(JavaMain.command(WeftCli.class.getName(), all)).start();
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            String out = read(p.getInputStream());
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("weft " + String.join(" ", args) + " finished").isTrue();
            return new Run(p.exitValue(), out, err.join());
        } catch (IOException e) {
            throw new IllegalStateException("cannot run weft", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /** A command that must succeed; its output. */
    String ok(String... args) {
        Run r = weft(args);
        assertThat(r.exit()).as("weft %s: %s", String.join(" ", args), r.err()).isZero();
        return r.out();
    }

    /** A command that must fail with one line on stderr; that line. */
    String fails(String... args) {
        Run r = weft(args);
        assertThat(r.exit()).as("weft %s should fail", String.join(" ", args)).isNotZero();
        assertThat(r.err()).startsWith("weft: ").endsWith("\n").hasLineCount(1);
        return r.err().strip();
    }

    /** Runs {@code script} with sh inside a container; true when it exits 0. */
    boolean inside(String container, String script) {
        return weft("exec", container, "--", "sh", "-c", script).exit() == 0;
    }

    /** Whether {@code condition} holds within {@code seconds}, checked every 200 ms. */
    static boolean eventually(int seconds, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** The IPv4 address (no prefix) in a service's JSON. */
    static String address(String serviceInfo) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"IPv4Address\" : \"([0-9.]+)/").matcher(serviceInfo);
        assertThat(m.find()).as(serviceInfo).isTrue();
        return m.group(1);
    }
}
