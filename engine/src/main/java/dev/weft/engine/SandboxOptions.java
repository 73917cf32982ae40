package dev.weft.engine;

/** A new sandbox's hostname and domain, and whether it shares the host's network namespace. */
public record SandboxOptions(String hostname, String domain, boolean hostNetwork) {
    public static SandboxOptions named(String hostname) {
        return new SandboxOptions(hostname, null, false);
    }
}
