package dev.weft.engine.driver;

import dev.weft.linux.netns.Netns;

/**
 * What a driver sees of a sandbox: its network namespace, open for the duration of one operation,
 * or null when the sandbox shares the host's network.
 */
public record SandboxPort(String id, Netns netns) implements AutoCloseable {
    public boolean hostNetwork() {
        return netns == null;
    }

    @Override
    public void close() {
        if (netns != null) {
            netns.close();
        }
    }
}
