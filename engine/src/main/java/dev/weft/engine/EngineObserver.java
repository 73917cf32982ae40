package dev.weft.engine;

import dev.weft.engine.ipam.IpamException;

import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Told what the engine does, for metrics: the embedder (weftd) implements it and turns the calls
 * into whatever it exports, so the engine depends on no metrics library. Every method has a
 * do-nothing default and must return quickly and never throw: it runs on the caller's thread,
 * some of it under the engine's lock. {@link #NONE} observes nothing.
 */
public interface EngineObserver {
    EngineObserver NONE = new EngineObserver() {
    };

    /**
     * An operation finished: {@code kind} is one of network_create, network_delete, endpoint_create,
     * endpoint_delete, endpoint_join, endpoint_leave, sandbox_create, sandbox_delete; {@code outcome}
     * is "ok" or what refused it ({@link #outcome(Throwable)}); it took {@code nanos}.
     */
    default void operation(String kind, String outcome, long nanos) {
    }

    /** Runs {@code work} as an operation of {@code kind} and tells {@link #operation} how it ended. */
    default <T> T timed(String kind, Supplier<T> work) {
        long start = System.nanoTime();
        try {
            T result = work.get();
            operation(kind, "ok", System.nanoTime() - start);
            return result;
        } catch (RuntimeException | Error e) {
            operation(kind, outcomeOf(e), System.nanoTime() - start);
            throw e;
        }
    }

    /** As {@link #timed}, for work that returns nothing. */
    default void timedRun(String kind, Runnable work) {
        timed(kind, () -> {
            work.run();
            return null;
        });
    }

    /**
     * A reconciler ran: {@code reconciler} is "start" (store, IPAM and kernel brought into agreement
     * when the controller starts) or "global_sweep" (orphaned global allocations freed);
     * {@code fixed} counts what it repaired, by kind (kinds with nothing fixed may be absent).
     */
    default void reconciled(String reconciler, Map<String, Integer> fixed, long nanos) {
    }

    /**
     * weft called a Docker plugin (a remote network driver or IPAM driver): {@code method} such as
     * "NetworkDriver.Join"; {@code outcome} "ok", "refused" (the plugin answered with an error),
     * "not_implemented" (HTTP 404) or "failed" (not reachable, timed out, or an unreadable answer).
     */
    default void pluginCall(String plugin, String method, String outcome, long nanos) {
    }

    /** The outcome label of a failure of {@link #timed}; {@link #outcome} unless the observer knows better. */
    default String outcomeOf(Throwable failure) {
        return outcome(failure);
    }

    /**
     * The outcome label of a failure: the {@link WeftException} kind in lower case ("not_found",
     * "conflict", "invalid_argument", "forbidden", "unavailable"), an IPAM refusal's likewise, else "error".
     */
    static String outcome(Throwable failure) {
        if (failure instanceof IpamException i) {
            return outcome(Errors.of(i));
        }
        return failure instanceof WeftException w ? w.kind().name().toLowerCase(Locale.ROOT) : "error";
    }
}
