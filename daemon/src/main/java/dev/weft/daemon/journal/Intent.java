package dev.weft.daemon.journal;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One multi-step operation of weftd as the journal keeps it while it runs: what it is
 * ({@code op}, such as "run" or "connect"), its subject by names and ids ({@code args}), and the
 * progress it has recorded so far ({@code done}, e.g. the pid of a process it started), so that a
 * later weftd can finish or undo it.
 */
public record Intent(@JsonProperty("Op") String op,
                     @JsonProperty("Args") Map<String, String> args,
                     @JsonProperty("Done") Map<String, String> done) {
    public Intent {
        args = args == null ? Map.of() : Map.copyOf(args);
        done = done == null ? Map.of() : Map.copyOf(done);
    }

    /** An intent with {@code args} given as name, value pairs; null values are left out. */
    public static Intent of(String op, String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                m.put(pairs[i], pairs[i + 1]);
            }
        }
        return new Intent(op, m, Map.of());
    }

    /** This intent with {@code key} recorded as done (with {@code value}). */
    public Intent with(String key, String value) {
        Map<String, String> m = new LinkedHashMap<>(done);
        m.put(key, value);
        return new Intent(op, args, m);
    }

    public String arg(String key) {
        return args.get(key);
    }

    /** A list argument, stored comma-separated (names never hold a comma). */
    public List<String> list(String key) {
        String v = args.get(key);
        return v == null || v.isEmpty() ? List.of() : List.of(v.split(","));
    }

    public String done(String key) {
        return done.get(key);
    }
}
