package dev.weft.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/** Runs n tasks at once, released together, and times them from release to the last one's end. */
final class Concurrently {
    private Concurrently() {
    }

    static long run(int n, IntConsumer task) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> all = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                int id = i;
                all.add(pool.submit(() -> {
                    go.await();
                    task.accept(id);
                    return null;
                }));
            }
            long t0 = System.nanoTime();
            go.countDown();
            for (Future<?> f : all) {
                f.get();
            }
            return System.nanoTime() - t0;
        }
    }

    /** Runs a process to completion with {@code stdin} as input; returns its wall time, or throws if it failed. */
    static long process(List<String> command, Path stdin) {
        try {
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(command).redirectInput(stdin.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            int rc = p.waitFor();
            if (rc != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited with " + rc);
            }
            return System.nanoTime() - t0;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
