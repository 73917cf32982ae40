package dev.weft.daemon.api;

import java.util.regex.Pattern;

/**
 * Container names and hostnames, checked before anything is created. Names follow Docker's rule;
 * a hostname is RFC 1123 (labels of letters, digits and '-', not at either end) and at most 64
 * characters, the kernel's limit. A container without one gets a hostname derived from its name
 * (Web_1 -> Web-1), or, when nothing of the name is usable, the first 12 digits of its id, as Docker.
 */
public final class Hostnames {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?");
    private static final int MAX = 64;

    private Hostnames() {
    }

    /** Refuses a container name Docker would refuse (400 naming the field). */
    public static void checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new ApiException(400, "field Name: invalid container name " + quote(name)
                    + ": use 1 to 128 letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
    }

    /** Refuses a hostname the kernel or resolvers would refuse (400 naming {@code field}). */
    public static void check(String field, String hostname) {
        boolean ok = !hostname.isEmpty() && hostname.length() <= MAX;
        for (String label : hostname.split("\\.", -1)) {
            ok &= LABEL.matcher(label).matches();
        }
        if (!ok) {
            throw new ApiException(400, "field " + field + ": invalid hostname " + quote(hostname)
                    + ": dot-separated labels of letters, digits and '-' (not first or last), at most " + MAX + " characters");
        }
    }

    /** A valid hostname for a container called {@code name} with id {@code id}. */
    public static String derive(String name, String id) {
        String h = name.replaceAll("[^a-zA-Z0-9.-]", "-").replaceAll("\\.{2,}", ".");
        h = h.length() > MAX ? h.substring(0, MAX) : h;
        h = h.replaceAll("(^|\\.)-+", "$1").replaceAll("-+(\\.|$)", "$1").replaceAll("^\\.+|\\.+$", "");
        try {
            check("Hostname", h);
            return h;
        } catch (ApiException e) {
            return id.substring(0, 12);
        }
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + "\"";
    }
}
