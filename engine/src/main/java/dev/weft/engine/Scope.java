package dev.weft.engine;

/** Where a network exists: on this host only, or on every host sharing the global store. */
public enum Scope {
    LOCAL, GLOBAL;

    public String label() {
        return name().toLowerCase();
    }
}
