package dev.weft.engine;

/**
 * An engine error with a kind the daemon maps to an HTTP status and the CLI to an exit code, and
 * a message that names the objects: {@code network prod has active endpoints: db1, web2}.
 */
public final class WeftException extends RuntimeException {
    /** What went wrong, in the terms a caller acts on. */
    public enum Kind {
        /** The object does not exist (404). */
        NOT_FOUND,
        /** The object exists already, or is in a state that forbids the change (409). */
        CONFLICT,
        /** The change is not allowed on this object (403), e.g. deleting a predefined network. */
        FORBIDDEN,
        /** The request itself is wrong (400). */
        INVALID_ARGUMENT,
        /** A resource or kernel feature is missing or exhausted (503/500). */
        UNAVAILABLE
    }

    private final Kind kind;

    public WeftException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public WeftException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public static WeftException notFound(String message) {
        return new WeftException(Kind.NOT_FOUND, message);
    }

    public static WeftException conflict(String message) {
        return new WeftException(Kind.CONFLICT, message);
    }

    public static WeftException forbidden(String message) {
        return new WeftException(Kind.FORBIDDEN, message);
    }

    public static WeftException invalid(String message) {
        return new WeftException(Kind.INVALID_ARGUMENT, message);
    }

    public static WeftException unavailable(String message, Throwable cause) {
        return new WeftException(Kind.UNAVAILABLE, message, cause);
    }
}
