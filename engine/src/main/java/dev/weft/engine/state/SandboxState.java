package dev.weft.engine.state;

import java.util.List;

/**
 * A sandbox as stored: the container it belongs to and its network namespace (a bind mount under
 * the controller's run directory), or none when it shares the host's network, and the DNS
 * servers it was given instead of the host's (empty: the host's).
 */
public record SandboxState(String id, String containerId, String hostname, String domain, String netnsPath,
                           boolean hostNetwork, String created, List<String> dnsServers) {
    public SandboxState {
        dnsServers = dnsServers == null ? List.of() : List.copyOf(dnsServers);
    }
}
