package dev.weft.bench;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/** Sums over samples of Prometheus's text exposition format (weftd's and etcd's /metrics). */
final class PromText {
    private PromText() {
    }

    /**
     * The sum of every sample of {@code metric} (the exact name, such as {@code
     * weft_store_operation_duration_seconds_count}) whose labels satisfy {@code labels}; 0 when there is none.
     */
    static double sum(String text, String metric, Predicate<Map<String, String>> labels) {
        double total = 0;
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#") || !line.startsWith(metric)) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            int nameEnd = brace >= 0 && brace < space ? brace : space;
            if (nameEnd != metric.length()) {
                continue; // a longer name with this one as its prefix
            }
            Map<String, String> l = new HashMap<>();
            String rest = line;
            if (nameEnd == brace) {
                int close = line.indexOf('}', brace);
                for (String pair : line.substring(brace + 1, close).split(",")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0) {
                        l.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim().replaceAll("^\"|\"$", ""));
                    }
                }
                rest = line.substring(close + 1);
            } else {
                rest = line.substring(space);
            }
            if (labels.test(l)) {
                total += Double.parseDouble(rest.trim().split("\\s+")[0]);
            }
        }
        return total;
    }

    /** {@link #sum} over every label set. */
    static double sum(String text, String metric) {
        return sum(text, metric, l -> true);
    }
}
