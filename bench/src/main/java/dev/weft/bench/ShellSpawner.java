package dev.weft.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One bash process, started once, that runs the commands it is sent and times them itself with
 * {@code $EPOCHREALTIME} (microseconds; bash 5), so the time covers bash's fork and exec of each
 * command and nothing of the pipe between this JVM and bash.
 */
final class ShellSpawner implements Spawner {
    private final Process bash;
    private final Writer in;
    private final BufferedReader out;

    ShellSpawner() {
        try {
            bash = new ProcessBuilder("bash", "--norc", "--noprofile")
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start bash", e);
        }
        in = bash.outputWriter(StandardCharsets.UTF_8);
        out = bash.inputReader(StandardCharsets.UTF_8);
    }

    @Override
    public String label() {
        return "bash";
    }

    @Override
    public long time(List<List<String>> commands) {
        return time(commands, null);
    }

    /** As {@link #time(List)}, with every command reading {@code stdin} (a file) instead of nothing. */
    long time(List<List<String>> commands, java.nio.file.Path stdin) {
        String input = stdin == null ? "/dev/null" : quote(stdin.toString());
        String chain = commands.stream()
                .map(c -> c.stream().map(ShellSpawner::quote).collect(Collectors.joining(" ")) + " <" + input + " >/dev/null")
                .collect(Collectors.joining(" && "));
        String line = "s=$EPOCHREALTIME; " + chain + "; r=$?; e=$EPOCHREALTIME; echo \"$r ${s/[.,]/} ${e/[.,]/}\"\n";
        String reply;
        try {
            in.write(line);
            in.flush();
            reply = out.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException("bash timer failed running " + chain, e);
        }
        String[] f = reply == null ? new String[0] : reply.trim().split(" ");
        if (f.length != 3 || f[1].isEmpty()) {
            throw new IllegalStateException("bash timer gave \"" + reply + "\" for " + chain + " (bash 5 is needed)");
        }
        if (!f[0].equals("0")) {
            throw new IllegalStateException(chain + " exited with status " + f[0]);
        }
        return (Long.parseLong(f[2]) - Long.parseLong(f[1])) * 1000;
    }

    private static String quote(String word) {
        return word.matches("[A-Za-z0-9_./:=+-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
    }

    @Override
    public void close() {
        try {
            in.close();
            bash.waitFor();
        } catch (IOException e) {
            bash.destroy();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            bash.destroy();
        }
    }
}
