package dev.weft.store;

/** A change seen by a watch. */
public sealed interface StoreEvent {
    long revision();

    String key();

    /** {@code entry} was created or changed at {@code entry.version()}. */
    record Put(KvEntry entry) implements StoreEvent {
        @Override
        public long revision() {
            return entry.version();
        }

        @Override
        public String key() {
            return entry.key();
        }
    }

    /** {@code key} was deleted at {@code revision}. */
    record Deleted(String key, long revision) implements StoreEvent {
    }
}
