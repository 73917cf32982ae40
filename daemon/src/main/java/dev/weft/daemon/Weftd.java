package dev.weft.daemon;

import dev.weft.daemon.api.HttpApi;
import dev.weft.daemon.api.Networks;
import dev.weft.daemon.api.Sandboxes;
import dev.weft.daemon.api.Services;
import dev.weft.daemon.cni.CniHandler;
import dev.weft.daemon.cni.CniPlugin;
import dev.weft.daemon.containers.Containers;
import dev.weft.daemon.dns.DnsService;
import dev.weft.daemon.plugin.PluginApi;
import dev.weft.engine.Controller;
import dev.weft.engine.ControllerConfig;
import dev.weft.engine.driver.NetworkDriver;
import dev.weft.engine.driver.bridge.BridgeDriver;
import dev.weft.engine.driver.macvlan.MacvlanDriver;
import dev.weft.linux.netns.Netns;
import dev.weft.engine.driver.overlay.OverlayDriver;
import dev.weft.engine.driver.remote.PluginDiscovery;
import dev.weft.engine.driver.remote.RemoteDriver;
import dev.weft.engine.driver.remote.RemoteIpam;
import dev.weft.linux.rtnl.IpPrefix;
import dev.weft.store.LocalStore;
import dev.weft.store.Stores;
import dev.weft.store.Store;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

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
    private final DnsService dns;
    private final Server server;
    private final Path socket;
    private final PluginServer plugin;

    private Weftd(Store store, Store global, Controller controller, DnsService dns, Server server, Path socket,
                  PluginServer plugin) {
        this.store = store;
        this.global = global;
        this.controller = controller;
        this.dns = dns;
        this.server = server;
        this.socket = socket;
        this.plugin = plugin;
    }

    /**
     * Starts weftd with {@code options}, treating {@code host} as the host namespace (null: the
     * process's own, as in production; tests pass a simulated host's).
     */
    public static Weftd start(WeftdOptions options, Netns host) {
        directories(options);
        Store store = LocalStore.open(options.dataDir().resolve("weft.db"));
        List<NetworkDriver> drivers = new ArrayList<>();
        Store global = null;
        Controller controller = null;
        DnsService dns = null;
        PluginServer plugin = null;
        try {
            drivers.add(new BridgeDriver(host)); // opens its nftables context now, while descriptors are few
            drivers.add(new MacvlanDriver(host));
            ControllerConfig config = ControllerConfig.of(store, options.runDir(), host)
                    .withHostResolvConf(options.resolvConf()).withEmbeddedDns(DNS_ADDRESS);
            if (options.cluster() != null) {
                InetAddress advertise = Cluster.advertiseAddress(options.cluster(), host);
                global = Stores.open(options.cluster().store());
                drivers.add(new OverlayDriver(host, global, advertise));
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
                return RemoteDriver.of(name, plugins, host);
            }).withIpamPlugins(name -> {
                plugins.address(name);
                return RemoteIpam.of(name, plugins);
            }));
            dns = new DnsService(controller, DnsService.upstreams(options.resolvConf()), 53, host);
            dns.sync();
            Containers containers = new Containers(controller, options.runDir(), dns::sync);
            plugin = options.plugin() == null ? null : PluginServer.start(options.plugin(), controller);
            HttpApi api = new HttpApi(new Networks(controller), new Sandboxes(controller, dns::sync, containers::nameOf),
                    new Services(controller, containers::nameOf), containers);
            Server server = serve(options.socket(), new org.eclipse.jetty.server.Handler.Sequence(
                    new CniHandler(new CniPlugin(controller, dns::sync)), api), new org.eclipse.jetty.server.HttpConnectionFactory());
            LOG.info("weftd serving on unix://{} (data {}, run {})", options.socket(), options.dataDir(), options.runDir());
            return new Weftd(store, global, controller, dns, server, options.socket(), plugin);
        } catch (RuntimeException e) {
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

    /**
     * Serves {@code handler} on the Unix socket {@code socket} over connections from
     * {@code http}, the socket readable and writable by owner and group.
     */
    static Server serve(Path socket, org.eclipse.jetty.server.Handler handler, org.eclipse.jetty.server.ConnectionFactory http) {
        try {
            Files.deleteIfExists(socket); // a leftover of a killed weftd: this one holds the store lock now
            Server server = new Server();
            UnixDomainServerConnector connector = new UnixDomainServerConnector(server, http);
            connector.setUnixDomainPath(socket);
            server.addConnector(connector);
            server.setHandler(handler);
            server.start();
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
            return server;
        } catch (Exception e) {
            throw new IllegalStateException("cannot serve the API on " + socket + ": " + e.getMessage(), e);
        }
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
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("stopping the API server: {}", e.getMessage());
        }
        if (plugin != null) {
            plugin.close();
        }
        dns.close();
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
