package dev.weft.bench;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** Starts processes with ProcessBuilder (posix_spawn through jspawnhelper on Linux). */
final class JvmSpawner implements Spawner {
    private static final ProcessBuilder.Redirect DEV_NULL = ProcessBuilder.Redirect.from(new File("/dev/null"));

    @Override
    public String label() {
        return "this JVM";
    }

    @Override
    public long time(List<List<String>> commands) {
        long start = System.nanoTime();
        for (List<String> command : commands) {
            run(command);
        }
        return System.nanoTime() - start;
    }

    private static void run(List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(DEV_NULL)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        int status;
        try {
            status = builder.start().waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        }
        if (status != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with status " + status);
        }
    }

    @Override
    public void close() {
    }
}
