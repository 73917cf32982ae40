package dev.weft.engine.internal;

import dev.weft.engine.state.EndpointState;
import dev.weft.engine.state.SandboxState;
import dev.weft.net.IpPrefix;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A sandbox's /etc/hosts and /etc/resolv.conf, generated as Docker does and kept in
 * {@code runDir/sandboxes/ID/}. Files are rewritten in place, never replaced, so a bind mount of
 * them into a container keeps seeing the new content.
 */
final class SandboxFiles {
    static final List<String> DEFAULT_NAMESERVERS = List.of("8.8.8.8", "8.8.4.4");
    private static final String HOSTS_HEADER = """
            127.0.0.1\tlocalhost
            ::1\tlocalhost ip6-localhost ip6-loopback
            fe00::0\tip6-localnet
            ff00::0\tip6-mcastprefix
            ff02::1\tip6-allnodes
            ff02::2\tip6-allrouters
            """;

    private final Path dir;
    private final Path hostResolvConf;
    private final String embeddedDns;
    private final Map<String, String> written = new ConcurrentHashMap<>();
    private volatile String hostResolv;
    private volatile long hostResolvModified = Long.MIN_VALUE;

    SandboxFiles(Path runDir, Path hostResolvConf, String embeddedDns) {
        this.dir = runDir.resolve("sandboxes");
        this.hostResolvConf = hostResolvConf;
        this.embeddedDns = embeddedDns;
    }

    Path directory(String sandboxId) {
        return dir.resolve(sandboxId);
    }

    /** Writes both files for the sandbox and the endpoints joined to it; unchanged files are left alone. */
    void write(SandboxState sb, List<EndpointState> joined) {
        Path d = directory(sb.id());
        try {
            if (!written.containsKey(sb.id() + "/")) {
                Files.createDirectories(d);
                written.put(sb.id() + "/", "");
            }
            rewrite(sb.id(), d.resolve("hosts"), hosts(sb, joined));
            boolean ipv6 = joined.stream().anyMatch(e -> e.ipv6() != null);
            String host = hostResolvConf();
            String resolv = embeddedDns != null ? embedded(host, embeddedDns)
                    : sb.dnsServers().isEmpty() ? resolvConf(host, ipv6) : ownServers(host, sb.dnsServers());
            rewrite(sb.id(), d.resolve("resolv.conf"), resolv);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the hosts and resolv.conf files of sandbox " + sb.id(), e);
        }
    }

    /** The host's resolv.conf, read again only when it changed. */
    private String hostResolvConf() throws IOException {
        long modified = Files.exists(hostResolvConf) ? Files.getLastModifiedTime(hostResolvConf).toMillis() : -1;
        if (modified != hostResolvModified || hostResolv == null) {
            hostResolv = modified < 0 ? "" : Files.readString(hostResolvConf);
            hostResolvModified = modified;
        }
        return hostResolv;
    }

    void delete(String sandboxId) {
        written.keySet().removeIf(k -> k.startsWith(sandboxId + "/"));
        Path d = directory(sandboxId);
        try {
            for (String f : List.of("hosts", "resolv.conf")) {
                Files.deleteIfExists(d.resolve(f));
            }
            Files.deleteIfExists(d);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the files of sandbox " + sandboxId, e);
        }
    }

    private void rewrite(String sandboxId, Path file, String content) throws IOException {
        String key = sandboxId + "/" + file.getFileName();
        if (content.equals(written.get(key))) {
            return;
        }
        Files.writeString(file, content, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        written.put(key, content);
    }

    /** The default entries, then one line per joined endpoint address: the hostname (and FQDN). */
    static String hosts(SandboxState sb, List<EndpointState> joined) {
        StringBuilder out = new StringBuilder(HOSTS_HEADER);
        String name = sb.hostname() == null || sb.hostname().isEmpty() ? sb.id().substring(0, 12) : sb.hostname();
        String names = sb.domain() == null || sb.domain().isEmpty() ? name : name + "." + sb.domain() + " " + name;
        for (EndpointState e : joined) {
            for (String a : new String[] {e.ipv4(), e.ipv6()}) {
                if (a != null) {
                    out.append(IpPrefix.format(IpPrefix.parse(a).address())).append('\t').append(names).append('\n');
                }
            }
        }
        return out.toString();
    }

    /**
     * The host's resolv.conf without loopback nameservers (they would mean the container itself),
     * and without IPv6 nameservers unless the sandbox has IPv6; Google's public resolvers when no
     * nameserver is left, as Docker does. search, domain and options lines are kept.
     */
    static String resolvConf(String host, boolean ipv6) {
        List<String> kept = new ArrayList<>();
        int nameservers = 0;
        for (String line : host.split("\n")) {
            String t = line.trim();
            if (t.startsWith("nameserver")) {
                String[] f = t.split("\\s+");
                if (f.length < 2 || isLoopback(f[1]) || (!ipv6 && f[1].contains(":"))) {
                    continue;
                }
                nameservers++;
            }
            if (!t.isEmpty()) {
                kept.add(t);
            }
        }
        StringBuilder out = new StringBuilder();
        kept.forEach(l -> out.append(l).append('\n'));
        if (nameservers == 0) {
            DEFAULT_NAMESERVERS.forEach(ns -> out.append("nameserver ").append(ns).append('\n'));
        }
        return out.toString();
    }

    /**
     * A resolv.conf for the embedded DNS server: it as the only nameserver, the host's search and
     * options lines kept, and ndots:0 so that single-label container names are asked as they are.
     */
    static String embedded(String host, String server) {
        return withHostSearchAndOptions(new StringBuilder("nameserver ").append(server).append('\n'), host, true)
                .append("options ndots:0\n").toString();
    }

    /** A resolv.conf naming the sandbox's own DNS servers, the host's search and options lines kept. */
    static String ownServers(String host, List<String> servers) {
        StringBuilder out = new StringBuilder();
        servers.forEach(s -> out.append("nameserver ").append(s).append('\n'));
        return withHostSearchAndOptions(out, host, false).toString();
    }

    private static StringBuilder withHostSearchAndOptions(StringBuilder out, String host, boolean dropNdots) {
        for (String line : host.split("\n")) {
            String t = line.trim();
            if (t.startsWith("search") || t.startsWith("domain") || (t.startsWith("options") && !(dropNdots && t.contains("ndots")))) {
                out.append(t).append('\n');
            }
        }
        return out;
    }

    private static boolean isLoopback(String address) {
        String a = address.split("%")[0];
        return a.startsWith("127.") || a.equals("::1") || a.equals("0:0:0:0:0:0:0:1");
    }
}
