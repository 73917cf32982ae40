package dev.weft.engine.driver;

/** The "null" driver: a sandbox with only its loopback, as libnetwork's "none" network. */
public final class NullDriver extends PlumblessDriver {
    @Override
    public String name() {
        return "null";
    }
}
