package dev.weft.bench;

import java.util.List;

/**
 * Recorded rounds over several tools, each round running every tool once in an order that reverses
 * every round (so that no tool always runs after the same one), after untimed warm-up rounds.
 */
final class Rounds {
    /** One tool's attach and detach in round {@code round}: their nanoseconds. */
    interface Operation {
        long[] run(int tool, int round);
    }

    private Rounds() {
    }

    /** Runs them; {@code rows} holds each tool's attach and detach samples, in tool order. */
    static void run(int tools, int warmup, int rounds, List<Samples> rows, Operation op) {
        for (int round = 0; round < warmup + rounds; round++) {
            for (int k = 0; k < tools; k++) {
                int t = round % 2 == 0 ? k : tools - 1 - k;
                long[] ns = op.run(t, round);
                if (round >= warmup) {
                    rows.get(2 * t).add(ns[0]);
                    rows.get(2 * t + 1).add(ns[1]);
                }
            }
            if ((round + 1) % 25 == 0) {
                System.err.printf("round %d/%d%n", round + 1, warmup + rounds);
            }
        }
    }
}
