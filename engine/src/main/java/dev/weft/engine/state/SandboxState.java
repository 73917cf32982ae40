package dev.weft.engine.state;

/**
 * A sandbox as stored: the container it belongs to and its network namespace (a bind mount under
 * the controller's run directory), or none when it shares the host's network.
 */
public record SandboxState(String id, String containerId, String hostname, String domain, String netnsPath,
                           boolean hostNetwork, String created) {
}
