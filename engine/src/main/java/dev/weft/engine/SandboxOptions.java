package dev.weft.engine;

import java.util.List;

/**
 * A new sandbox's hostname and domain, whether it shares the host's network namespace, and its
 * own DNS servers (IP addresses, as docker's --dns): with embedded DNS they replace the host's
 * resolvers as the servers that names outside the sandbox's networks are forwarded to; without it
 * they are the nameservers of the sandbox's resolv.conf.
 */
public record SandboxOptions(String hostname, String domain, boolean hostNetwork, List<String> dnsServers) {
    public SandboxOptions {
        dnsServers = dnsServers == null ? List.of() : List.copyOf(dnsServers);
    }

    public SandboxOptions(String hostname, String domain, boolean hostNetwork) {
        this(hostname, domain, hostNetwork, List.of());
    }

    public static SandboxOptions named(String hostname) {
        return new SandboxOptions(hostname, null, false);
    }

    public SandboxOptions withDnsServers(List<String> servers) {
        return new SandboxOptions(hostname, domain, hostNetwork, servers);
    }
}
