package dev.weft.daemon.cni;

import java.util.List;

/** The specification versions weft speaks, and comparisons between version strings. */
final class CniVersion {
    static final List<String> SUPPORTED = List.of("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0");

    private CniVersion() {
    }

    /** Whether {@code a} is at least {@code b} ("1.1.0" >= "0.4.0"); both must be dotted numbers. */
    static boolean atLeast(String a, String b) {
        return compare(a, b) >= 0;
    }

    static int compare(String a, String b) {
        int[] x = parse(a);
        int[] y = parse(b);
        for (int i = 0; i < 3; i++) {
            if (x[i] != y[i]) {
                return Integer.compare(x[i], y[i]);
            }
        }
        return 0;
    }

    private static int[] parse(String v) {
        String[] parts = v.split("\\.", -1);
        if (parts.length < 1 || parts.length > 3) {
            throw new CniError(CniError.DECODING_FAILURE, "failed to decode version", "\"" + v + "\" is not a version");
        }
        int[] out = new int[3];
        try {
            for (int i = 0; i < parts.length; i++) {
                out[i] = Integer.parseInt(parts[i]);
                if (out[i] < 0) {
                    throw new NumberFormatException();
                }
            }
        } catch (NumberFormatException e) {
            throw new CniError(CniError.DECODING_FAILURE, "failed to decode version", "\"" + v + "\" is not a version");
        }
        return out;
    }

    /**
     * Refuses a configuration version weft does not speak (code 1), and verbs the version does not
     * have: CHECK before 0.4.0, GC and STATUS before 1.1.0.
     */
    static void check(String version, String command) {
        compare(version, "0.0.0"); // decodes, or code 6
        if (!SUPPORTED.contains(version)) {
            throw CniError.version("weft supports CNI versions " + String.join(", ", SUPPORTED) + ", not " + version);
        }
        String since = switch (command) {
            case "CHECK" -> "0.4.0";
            case "GC", "STATUS" -> "1.1.0";
            default -> null;
        };
        if (since != null && !atLeast(version, since)) {
            throw CniError.version("config version " + version + " does not allow " + command + " (needs " + since + " or later)");
        }
    }
}
