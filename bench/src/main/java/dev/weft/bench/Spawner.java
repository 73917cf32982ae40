package dev.weft.bench;

import java.util.List;

/**
 * Starts commands one after another, each to completion, and times them. Whoever starts a
 * process pays for it too, so the ip rows are measured with two starters: this JVM
 * ({@link JvmSpawner}, what a Java engine that shells out to ip pays) and a shell that was started
 * beforehand ({@link ShellSpawner}, fork and exec from bash: the cheaper, fairer floor).
 */
interface Spawner extends AutoCloseable {
    /** Who starts the processes, for the report ("bash", "this JVM"). */
    String label();

    /**
     * Runs the commands in order, stopping at the first that fails (then throws), and returns the
     * wall-clock nanoseconds from before the first start to after the last exit.
     */
    long time(List<List<String>> commands);

    @Override
    void close();
}
