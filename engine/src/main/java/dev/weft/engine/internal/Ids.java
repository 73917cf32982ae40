package dev.weft.engine.internal;

import dev.weft.engine.WeftException;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Object ids (64 hex digits, as Docker's) and name rules. */
final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}");

    private Ids() {
    }

    static String newId() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    static String shortId(String id) {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }

    static void checkName(String kind, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw WeftException.invalid("invalid " + kind + " name \"" + name
                    + "\": use 1 to 128 letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
    }
}
