package dev.weft.store;

import java.nio.charset.StandardCharsets;

/** A stored value with the revision of its last change. */
public record KvEntry(String key, byte[] value, long version) {
    public KvEntry {
        value = value.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    public String valueAsString() {
        return new String(value, StandardCharsets.UTF_8);
    }
}
