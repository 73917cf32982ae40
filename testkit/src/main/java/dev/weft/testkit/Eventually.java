package dev.weft.testkit;

import java.util.function.BooleanSupplier;

/** Waiting in tests for something that other threads or hosts bring about. */
public final class Eventually {
    private Eventually() {
    }

    /**
     * Returns once {@code condition} holds, checking every 100 ms; throws AssertionError if it
     * still does not after {@code seconds}.
     */
    public static void holds(int seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + seconds + " s");
            }
            Thread.sleep(100);
        }
    }
}
