package dev.weft.bench;

import java.util.Arrays;

/** Wall-clock samples of one operation by one tool, in nanoseconds. */
final class Samples {
    private final String operation;
    private final String tool;
    private long[] values = new long[256];
    private int size;

    Samples(String operation, String tool) {
        this.operation = operation;
        this.tool = tool;
    }

    void add(long nanos) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = nanos;
    }

    /** {@link #add} for samples recorded from several threads. */
    synchronized void addSynchronized(long nanos) {
        add(nanos);
    }

    String operation() {
        return operation;
    }

    String tool() {
        return tool;
    }

    int count() {
        return size;
    }

    /** The median in milliseconds (mean of the two middle values when the count is even). */
    double medianMs() {
        long[] s = sorted();
        double mid = size % 2 == 1 ? s[size / 2] : (s[size / 2 - 1] + s[size / 2]) / 2.0;
        return mid / 1e6;
    }

    /** The p-th percentile in milliseconds, nearest-rank method (p95 of 200 samples is the 190th smallest). */
    double percentileMs(double p) {
        long[] s = sorted();
        int rank = (int) Math.ceil(p / 100.0 * size);
        return s[Math.max(0, rank - 1)] / 1e6;
    }

    double minMs() {
        return sorted()[0] / 1e6;
    }

    double maxMs() {
        return sorted()[size - 1] / 1e6;
    }

    private long[] sorted() {
        if (size == 0) {
            throw new IllegalStateException("no samples for " + operation + " / " + tool);
        }
        long[] s = Arrays.copyOf(values, size);
        Arrays.sort(s);
        return s;
    }
}
