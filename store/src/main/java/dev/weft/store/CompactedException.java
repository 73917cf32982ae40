package dev.weft.store;

/** A watch asked for changes older than the store keeps: list again, then watch from that revision. */
public final class CompactedException extends StoreException {
    public CompactedException(long requested, long oldest) {
        super("store changes after revision " + requested + " are no longer kept (oldest kept: " + oldest
                + "); list again and watch from the new revision");
    }
}
