package dev.weft.engine;

import java.nio.file.Path;
import java.util.List;

/**
 * A new sandbox's hostname and domain, whether it shares the host's network namespace, and its
 * own DNS servers (IP addresses, as docker's --dns): with embedded DNS they replace the host's
 * resolvers as the servers that names outside the sandbox's networks are forwarded to; without it
 * they are the nameservers of the sandbox's resolv.conf. {@code netns}, when given, is an existing
 * network namespace another runtime made (a CNI runtime's CNI_NETNS): the sandbox adopts it instead
 * of making one, and leaves it in place when it is deleted.
 */
public record SandboxOptions(String hostname, String domain, boolean hostNetwork, List<String> dnsServers, Path netns) {
    public SandboxOptions {
        dnsServers = dnsServers == null ? List.of() : List.copyOf(dnsServers);
    }

    public SandboxOptions(String hostname, String domain, boolean hostNetwork, List<String> dnsServers) {
        this(hostname, domain, hostNetwork, dnsServers, null);
    }

    public SandboxOptions(String hostname, String domain, boolean hostNetwork) {
        this(hostname, domain, hostNetwork, List.of());
    }

    public static SandboxOptions named(String hostname) {
        return new SandboxOptions(hostname, null, false);
    }

    public SandboxOptions withDnsServers(List<String> servers) {
        return new SandboxOptions(hostname, domain, hostNetwork, servers, netns);
    }

    /** A sandbox in the existing namespace at {@code path}, which it does not own. */
    public SandboxOptions inNamespace(Path path) {
        return new SandboxOptions(hostname, domain, false, dnsServers, path);
    }
}
