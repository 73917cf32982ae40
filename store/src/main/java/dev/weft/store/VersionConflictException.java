package dev.weft.store;

/** A compare-and-swap found another version than expected: someone else changed the key first. */
public final class VersionConflictException extends StoreException {
    private final long expected;
    private final long actual;

    public VersionConflictException(String key, long expected, long actual) {
        super("store key " + key + " is at version " + actual + ", not " + expected + " (changed concurrently)");
        this.expected = expected;
        this.actual = actual;
    }

    public long expected() {
        return expected;
    }

    /** The version found; 0 if the key did not exist. */
    public long actual() {
        return actual;
    }
}
