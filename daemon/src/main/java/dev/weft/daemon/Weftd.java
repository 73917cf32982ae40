package dev.weft.daemon;

import dev.weft.daemon.api.HttpApi;
import dev.weft.daemon.api.NetworkConnections;
import dev.weft.daemon.api.ServerHttp;
import dev.weft.daemon.api.Networks;
import dev.weft.daemon.api.Sandboxes;
import dev.weft.daemon.api.Services;
import dev.weft.daemon.api.UnixSocketServer;
import dev.weft.daemon.cni.CniHandler;
import dev.weft.daemon.cni.CniPlugin;
import dev.weft.daemon.containers.Containers;
import dev.weft.daemon.dns.DnsServers;
import dev.weft.daemon.journal.Intent;
import dev.weft.daemon.journal.Journal;
import dev.weft.daemon.kernel.HostKernel;
import dev.weft.daemon.metrics.MetricsHandler;
import dev.weft.daemon.metrics.MetricsServer;
import dev.weft.daemon.metrics.ObservedStore;
import dev.weft.daemon.metrics.WeftMetrics;
import dev.weft.daemon.plugin.PluginApi;
import dev.weft.daemon.plugin.PluginServer;
import dev.weft.engine.Controller;
import dev.weft.engine.ControllerConfig;
import dev.weft.engine.driver.NetworkDriver;
import dev.weft.engine.plugin.PluginDiscovery;
import dev.weft.engine.plugin.RemoteIpam;
import dev.weft.net.IpPrefix;
import dev.weft.store.LocalStore;
import dev.weft.store.Store;
import dev.weft.store.StoreUnavailableException;
import dev.weft.store.Stores;
import org.eclipse.jetty.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A running weftd: the store, the controller with its drivers, and the REST API on a Unix
 * socket. {@link #close()} stops serving and releases everything it holds, but leaves networks,
 * endpoints and sandboxes in place: containers keep their networking across a daemon restart.
 */
public final class Weftd implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Weftd.class);
    /** Where every sandbox finds the embedded DNS server, as in Docker. */
    public static final String DNS_ADDRESS = "127.0.0.11";
    private final Store store;
    private final Store global;
    private final Controller controller;
    private final DnsServers dns;
    private final Server server;
    private final Path socket;
    private final PluginServer plugin;
    private final MetricsServer metricsServer;
    private final FirewallHealer healer;
    private final AutoCloseable firewallWatch;

    private Weftd(Store store, Store global, Controller controller, DnsServers dns, Server server, Path socket,
                  PluginServer plugin, MetricsServer metricsServer, FirewallHealer healer, AutoCloseable firewallWatch) {
        this.metricsServer = metricsServer;
        this.store = store;
        this.global = global;
        this.controller = controller;
        this.dns = dns;
        this.server = server;
        this.socket = socket;
        this.plugin = plugin;
        this.healer = healer;
        this.firewallWatch = firewallWatch;
    }

    /** Opens the shared store, trying again while it does not answer, for at most {@code --kv-wait}. */
    private static Store openGlobal(ClusterOptions cluster) {
        long deadline = System.nanoTime() + cluster.storeWait().toNanos();
        while (true) {
            try {
                return Stores.open(cluster.store());
            } catch (StoreUnavailableException e) {
                if (System.nanoTime() >= deadline) {
                    throw e;
                }
                LOG.warn("{}; trying again (--kv-wait {} s)", e.getMessage(), cluster.storeWait().toSeconds());
                try {
                    Thread.sleep(500);
                } catch (InterruptedException i) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /**
     * Starts weftd with {@code options} on {@code host} ({@link HostKernel#thisProcess()} in
     * production; tests pass a simulated host's).
     */
    public static Weftd start(WeftdOptions options, HostKernel host) {
        directories(options);
        WeftMetrics metrics = new WeftMetrics();
        metrics.countKernelRequests(HostKernel::netlinkRequests, HostKernel::nftablesCommands);
        Store store = new ObservedStore(LocalStore.open(options.dataDir().resolve("weft.db")), "local", metrics);
        List<NetworkDriver> drivers = new ArrayList<>();
        Store global = null;
        Controller controller = null;
        DnsServers dns = null;
        PluginServer plugin = null;
        MetricsServer metricsServer = null;
        FirewallHealer healer = null;
        AutoCloseable firewallWatch = null;
        try {
            drivers.addAll(host.localDrivers());
            ControllerConfig config = host.config(store, options.runDir())
                    .withHostResolvConf(options.resolvConf()).withEmbeddedDns(DNS_ADDRESS);
            if (options.cluster() != null) {
                InetAddress advertise = host.advertiseAddress(options.cluster());
                global = new ObservedStore(openGlobal(options.cluster()), "global", metrics);
                drivers.add(host.overlay(global, advertise));
                drivers.removeIf(d -> d.name().equals("ovs")); // hosts sharing a store: the ovs mesh follows them
                drivers.add(host.ovs(global, advertise));
                config = config.withGlobalStore(global, IpPrefix.format(advertise));
                LOG.info("sharing global networks through {} as {}", options.cluster().store().connectString(),
                        IpPrefix.format(advertise));
            }
            if (options.plugin() != null) {
                config = config.withDefaultPools(PluginApi.addressSpaces());
            }
            PluginDiscovery plugins = PluginDiscovery.defaults();
            controller = Controller.start(config.withDrivers(drivers).withPlugins(name -> {
                plugins.address(name); // NOT_FOUND, saying where it looked, before anything is made
                return host.remote(name, plugins, metrics);
            }).withIpamPlugins(name -> {
                plugins.address(name);
                return RemoteIpam.of(name, plugins, metrics);
            }).withObserver(metrics));
            metrics.follow(controller);
            healer = new FirewallHealer(controller);
            firewallWatch = host.watchFirewall(healer::damaged);
            healer.healNow(); // what went missing before the watch began
            dns = new DnsServers(controller, DnsServers.upstreams(options.resolvConf()), 53, host, metrics);
            Journal journal = new Journal(options.runDir());
            Containers containers = new Containers(controller, options.runDir(), dns::sync, journal, metrics);
            NetworkConnections connections = new NetworkConnections(controller, containers::nameOf, journal);
            recover(journal, containers, connections);
            plugin = options.plugin() == null ? null : PluginServer.start(options.plugin(), controller, journal, global, metrics);
            if (plugin != null && options.plugin().dns() != null) {
                dns.serveOnHost(new InetSocketAddress(options.plugin().dns(), 53), plugin::dockerNames);
            }
            metricsServer = options.metrics() == null ? null : MetricsServer.start(options.metrics(), metrics);
            HttpApi api = new HttpApi(new Networks(controller), connections,
                    new Sandboxes(controller, dns::sync, containers::nameOf), new Services(controller, containers::nameOf, journal),
                    containers);
            Server server = serve(options.socket(), options.group(), new org.eclipse.jetty.server.Handler.Sequence(
                    new MetricsHandler(metrics), new CniHandler(new CniPlugin(controller, dns::sync)), api));
            LOG.info("weftd serving on unix://{} (data {}, run {})", options.socket(), options.dataDir(), options.runDir());
            dns.restore(); // behind the API, which does not need them: docs/design.md, "weftd's footprint"
            return new Weftd(store, global, controller, dns, server, options.socket(), plugin, metricsServer, healer, firewallWatch);
        } catch (RuntimeException e) {
            stopHealing(firewallWatch, healer);
            if (metricsServer != null) {
                metricsServer.close();
            }
            if (plugin != null) {
                plugin.close();
            }
            if (dns != null) {
                dns.close();
            }
            if (controller != null) {
                controller.close();
            } else {
                drivers.forEach(NetworkDriver::close);
            }
            if (global != null) {
                global.close();
            }
            store.close();
            throw e;
        }
    }

    private static void stopHealing(AutoCloseable watch, FirewallHealer healer) {
        try {
            if (watch != null) {
                watch.close();
            }
        } catch (Exception e) {
            LOG.warn("closing the nftables watch: {}", e.getMessage());
        }
        if (healer != null) {
            healer.close();
        }
    }

    /** How many times weftd found firewall rules removed by someone else and installed them again. */
    int firewallRestores() {
        return healer.restores();
    }

    /** Finishes or undoes, before anything is served, every operation a crash interrupted. */
    private static void recover(Journal journal, Containers containers, NetworkConnections connections) {
        Map<String, Consumer<Intent>> handlers = new HashMap<>(containers.recovery());
        handlers.putAll(connections.recovery());
        int n = journal.replay(handlers);
        if (n > 0) {
            LOG.info("recovered {} interrupted operation(s)", n);
        }
    }

    private static void directories(WeftdOptions options) {
        try {
            Files.createDirectories(options.dataDir());
            Files.setPosixFilePermissions(options.dataDir(), PosixFilePermissions.fromString("rwx------"));
            Files.createDirectories(options.runDir());
            if (options.socket().getParent() != null) {
                Files.createDirectories(options.socket().getParent());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare weftd's directories: " + e.getMessage(), e);
        }
    }

    private static Server serve(Path socket, String group, org.eclipse.jetty.server.Handler handler) {
        return UnixSocketServer.serve(socket, handler,
                new org.eclipse.jetty.server.HttpConnectionFactory(ServerHttp.httpConfiguration()), group);
    }

    public Path socket() {
        return socket;
    }

    public Controller controller() {
        return controller;
    }

    /** Stops serving and closes the controller and store; networking stays as it is. */
    @Override
    public void close() {
        if (metricsServer != null) {
            metricsServer.close();
        }
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("stopping the API server: {}", e.getMessage());
        }
        if (plugin != null) {
            plugin.close();
        }
        dns.close();
        stopHealing(firewallWatch, healer);
        controller.close();
        if (global != null) {
            global.close(); // ends this host's session: the other hosts stop sending to it
        }
        store.close();
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.warn("removing {}: {}", socket, e.getMessage());
        }
        LOG.info("weftd stopped; networks, endpoints and sandboxes stay in place");
    }
}
