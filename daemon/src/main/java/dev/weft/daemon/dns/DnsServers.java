package dev.weft.daemon.dns;

import dev.weft.daemon.kernel.HostKernel;
import dev.weft.daemon.metrics.WeftMetrics;
import dev.weft.engine.Controller;
import dev.weft.engine.Sandbox;
import dev.weft.engine.WeftException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/** One embedded DNS server per sandbox with its own namespace, kept in step with the controller's sandboxes. */
public final class DnsServers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DnsServers.class);
    private final Controller controller;
    private final DnsResolver dns;
    private final int port;
    private final DnsSelector selector = new DnsSelector();
    private volatile boolean closed;
    private final Map<String, DnsListener> servers = new ConcurrentHashMap<>();
    private final List<DnsListener> hostListeners = new ArrayList<>();

    /** Servers answering for {@code controller}'s sandboxes, forwarding from {@code host}'s namespace, counted in {@code metrics}. */
    public DnsServers(Controller controller, List<InetSocketAddress> upstreams, int port, HostKernel host,
                      WeftMetrics metrics) {
        this.controller = controller;
        this.dns = new DnsResolver(controller, upstreams, Duration.ofSeconds(2), host, metrics);
        this.port = port;
    }

    /** The nameservers of a resolv.conf file (port 53), loopback ones included: weftd forwards from the host. */
    public static List<InetSocketAddress> upstreams(Path resolvConf) {
        List<InetSocketAddress> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(resolvConf)) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 2 && f[0].equals("nameserver")) {
                    try {
                        out.add(new InetSocketAddress(java.net.InetAddress.ofLiteral(f[1].split("%")[0]), 53));
                    } catch (IllegalArgumentException ignored) {
                        // not an address: skip it as resolvers do
                    }
                }
            }
        } catch (java.io.IOException e) {
            LOG.warn("cannot read {}: embedded DNS forwards nowhere ({})", resolvConf, e.getMessage());
        }
        return out;
    }

    /**
     * Starts the servers of the sandboxes weftd found at start, on a thread of its own, and
     * returns at once: at 1000 sandboxes that is 2000 sockets opened in 1000 namespaces, which
     * the API need not wait for. Whatever calls {@link #sync()} meanwhile (a sandbox created or
     * removed) waits for it, and {@link #close()} stops it.
     */
    public void restore() {
        Thread.ofPlatform().daemon().name("dns-restore").start(() -> {
            long t0 = System.nanoTime();
            try {
                sync();
            } catch (RuntimeException e) {
                LOG.warn("cannot restore the embedded DNS servers: {}", e.getMessage());
                return;
            }
            LOG.info("embedded DNS serving in {} sandbox(es) ({} ms)", servers.size(), (System.nanoTime() - t0) / 1_000_000);
        });
    }

    /** Starts servers for new sandboxes and stops those of deleted ones. */
    public synchronized void sync() {
        Set<String> alive = new HashSet<>();
        for (Sandbox sb : controller.sandboxes()) {
            if (closed) {
                return;
            }
            Path netns;
            try {
                netns = sb.netnsPath();
                if (netns == null || sb.adopted()) { // a CNI runtime's container: the runtime owns its resolv.conf
                    continue;
                }
            } catch (WeftException e) {
                if (e.kind() != WeftException.Kind.NOT_FOUND) {
                    throw e;
                }
                continue; // removed meanwhile by another request: its server stops below
            }
            alive.add(sb.id());
            if (!servers.containsKey(sb.id())) {
                try {
                    servers.put(sb.id(), DnsListener.inSandbox(selector, netns, sb.id(), dns, port));
                } catch (RuntimeException e) {
                    LOG.warn("cannot start embedded DNS in sandbox {}: {}", sb.id(), e.getMessage());
                }
            }
        }
        for (String id : List.copyOf(servers.keySet())) {
            if (!alive.contains(id)) {
                servers.remove(id).close();
                dns.forget(id);
            }
        }
    }

    /**
     * Also serves DNS on {@code address} of weftd's own namespace: to a client at address A the
     * names {@code names} gives for A, other names forwarded to the host's resolvers. Throws
     * IllegalStateException when the address cannot be bound.
     */
    public synchronized void serveOnHost(InetSocketAddress address,
                                         Function<InetAddress, Map<String, List<InetAddress>>> names) {
        hostListeners.add(DnsListener.onHost(selector, address, (client, query, tcp) -> dns.answer(names.apply(client), query, tcp)));
        LOG.info("serving DNS for Docker's containers on {}", address);
    }

    @Override
    public void close() {
        closed = true; // a restore still running stops at its next sandbox
        closeNow();
    }

    private synchronized void closeNow() {
        hostListeners.forEach(DnsListener::close);
        hostListeners.clear();
        servers.values().forEach(DnsListener::close);
        servers.clear();
        selector.close();
    }
}
