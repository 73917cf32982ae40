package dev.weft.engine;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The one rollback mechanism for multi-step operations: each step, once done, pushes its inverse;
 * {@link #commit()} on success forgets them; {@link #close()} without a commit runs them in
 * reverse order. A failing inverse does not stop the others: every failure is attached to the
 * original error (or thrown at the end, when there was none).
 * <pre>
 * try (Undo undo = new Undo()) {
 *     links.create(veth);            undo.push("delete veth " + name, () -> links.deleteIfExists(name));
 *     ipam.requestAddress(...);      undo.push("release " + ip, () -> ipam.releaseAddress(pool, ip));
 *     undo.commit();
 * }
 * </pre>
 */
public final class Undo implements AutoCloseable {
    private record Step(String what, Runnable inverse) {
    }

    private final Deque<Step> steps = new ArrayDeque<>();
    private boolean committed;

    /** Records the inverse of a step that has just succeeded. */
    public void push(String what, Runnable inverse) {
        steps.push(new Step(what, inverse));
    }

    /** The operation succeeded: keep every step. */
    public void commit() {
        committed = true;
        steps.clear();
    }

    /** Undoes every recorded step in reverse order unless committed. */
    @Override
    public void close() {
        if (committed) {
            return;
        }
        RuntimeException failure = null;
        while (!steps.isEmpty()) {
            Step s = steps.pop();
            try {
                s.inverse().run();
            } catch (RuntimeException e) {
                RuntimeException wrapped = new IllegalStateException("rollback: cannot " + s.what() + ": " + e.getMessage(), e);
                if (failure == null) {
                    failure = wrapped;
                } else {
                    failure.addSuppressed(wrapped);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
