package dev.weft.daemon.kernel;

import dev.weft.daemon.ClusterOptions;
import dev.weft.driver.ovs.OvsDriver;
import dev.weft.engine.ControllerConfig;
import dev.weft.engine.driver.NetworkDriver;
import dev.weft.engine.driver.bridge.BridgeDriver;
import dev.weft.engine.driver.macvlan.MacvlanDriver;
import dev.weft.engine.driver.overlay.OverlayDriver;
import dev.weft.engine.EngineObserver;
import dev.weft.engine.driver.remote.RemoteDriver;
import dev.weft.engine.plugin.PluginDiscovery;
import dev.weft.linux.KernelRequests;
import dev.weft.linux.netns.Netns;
import dev.weft.linux.netns.NetnsProcesses;
import dev.weft.linux.nft.NftEvents;
import dev.weft.linux.rtnl.Address;
import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.net.IpPrefix;
import dev.weft.store.Store;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The daemon's one seam to the kernel: the host namespace weftd serves (its own, or a simulated
 * host's in tests), the drivers and controller configuration bound to it, the host's addresses,
 * and sockets opened inside a namespace. Nothing else in the daemon imports the linux layer.
 */
public final class HostKernel {
    private final Netns host;

    private HostKernel(Netns host) {
        this.host = host;
    }

    /** The namespace this process runs in, as in production. */
    public static HostKernel thisProcess() {
        return new HostKernel(null);
    }

    /** {@code host} as the host namespace (null: this process's own); tests pass a simulated host's. */
    public static HostKernel of(Netns host) {
        return new HostKernel(host);
    }

    /** Netlink requests this process has sent the kernel so far. */
    public static long netlinkRequests() {
        return KernelRequests.netlink();
    }

    /** libnftables commands this process has run so far. */
    public static long nftablesCommands() {
        return KernelRequests.nftables();
    }

    /** The controller's configuration on this host: records in {@code store}, sandboxes under {@code runDir}. */
    public ControllerConfig config(Store store, Path runDir) {
        return ControllerConfig.of(store, runDir, host);
    }

    /**
     * The drivers of one host: bridge, macvlan and ovs (Open vSwitch, with loris). The bridge
     * driver opens its nftables context now, while the process holds few descriptors.
     */
    public List<NetworkDriver> localDrivers() {
        BridgeDriver bridge = new BridgeDriver(host);
        try {
            return List.of(bridge, new MacvlanDriver(host), new OvsDriver(host));
        } catch (RuntimeException e) {
            bridge.close();
            throw e;
        }
    }

    /** The overlay driver, its tunnels ending at {@code advertise}, its records in {@code global}. */
    public NetworkDriver overlay(Store global, InetAddress advertise) {
        return new OverlayDriver(host, global, advertise);
    }

    /** The ovs driver in global scope: its tunnel mesh follows the live hosts of {@code global}. */
    public NetworkDriver ovs(Store global, InetAddress advertise) {
        return new OvsDriver(host, global, IpPrefix.format(advertise));
    }

    /** The network plugin {@code name}, as {@code plugins} finds it; {@code observer} is told of every call to it. */
    public NetworkDriver remote(String name, PluginDiscovery plugins, EngineObserver observer) {
        return RemoteDriver.of(name, plugins, host, observer);
    }

    /**
     * Watches nftables in the host namespace: {@code onDamage} runs, on the watcher's thread, for
     * every transaction of another process that deleted something from a table named weft*
     * (an {@code nft flush ruleset} does), with a line saying who and what; and when the kernel
     * dropped notifications, since then anything may be gone. weft's own changes never call it.
     */
    public AutoCloseable watchFirewall(Consumer<String> onDamage) {
        return NftEvents.subscribe(host, event -> {
            if (event instanceof NftEvents.NftEvent.Deleted d && d.touches("weft")) {
                onDamage.accept(d.deletions().size() + " deletion(s) by " + d.process() + " (pid " + d.pid() + "), first "
                        + d.deletions().stream().filter(x -> x.table() != null && x.table().startsWith("weft")).findFirst().orElseThrow());
            } else if (event instanceof NftEvents.NftEvent.Overflow) {
                onDamage.accept("nftables notifications were dropped");
            }
        });
    }

    /** Opens a socket (or does other I/O) inside a namespace: what it opens stays bound there. */
    @FunctionalInterface
    public interface SocketTask<T> {
        T open() throws IOException;
    }

    /** Runs {@code task} in the host namespace. */
    public <T> T inHost(SocketTask<T> task) throws IOException {
        return host == null ? task.open() : host.call(task::open);
    }

    /** Runs {@code task} in the namespace bound at {@code netns}. */
    /** The pids of the processes living in the network namespace bound at {@code netns} (never weftd). */
    public static List<Long> processesIn(Path netns) {
        return NetnsProcesses.in(netns);
    }

    public static <T> T inNamespace(Path netns, SocketTask<T> task) {
        try (Netns ns = Netns.open(netns)) {
            return ns.call(task::open);
        }
    }

    /** An interface as the kernel has it: whether it is up, and its addresses (as IP/LEN text). */
    public record InterfaceState(boolean up, Set<String> addresses) {
    }

    /** The interface {@code ifname} in the namespace bound at {@code netns}, if there is one. */
    public static Optional<InterfaceState> interfaceIn(Path netns, String ifname) {
        try (Netns ns = Netns.open(netns); Rtnetlink nl = Rtnetlink.open(ns)) {
            Optional<Link> link = nl.links().find(ifname);
            if (link.isEmpty()) {
                return Optional.empty();
            }
            Set<String> addresses = new HashSet<>();
            for (Address a : nl.addresses().list(ifname)) {
                addresses.add(a.prefix().toString());
            }
            return Optional.of(new InterfaceState(link.get().up(), addresses));
        }
    }

    /**
     * This host's address for other hosts: {@code --advertise} as given (it must be an address of
     * this host), or the first IPv4 address of {@code --bind-interface}.
     */
    public InetAddress advertiseAddress(ClusterOptions options) {
        try (Rtnetlink nl = host == null ? Rtnetlink.open() : Rtnetlink.open(host)) {
            if (options.advertise() != null) {
                InetAddress a;
                try {
                    a = IpPrefix.parseAddress(options.advertise());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--advertise " + options.advertise() + " is not an IP address");
                }
                if (nl.addresses().list().stream().noneMatch(x -> x.prefix().address().equals(a))) {
                    throw new IllegalArgumentException("--advertise " + options.advertise() + " is not an address of this host");
                }
                if (a.isLoopbackAddress()) {
                    throw new IllegalArgumentException("--advertise " + options.advertise()
                            + " is a loopback address, which other hosts cannot reach");
                }
                return a;
            }
            Optional<Link> link = nl.links().find(options.bindInterface());
            if (link.isEmpty()) {
                throw new IllegalArgumentException("--bind-interface " + options.bindInterface() + ": no such interface");
            }
            InetAddress a = nl.addresses().list().stream().filter(x -> x.linkIndex() == link.get().index() && x.prefix().isIpv4())
                    .map(Address::prefix).map(IpPrefix::address).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("--bind-interface " + options.bindInterface()
                            + " has no IPv4 address"));
            if (a.isLoopbackAddress()) {
                throw new IllegalArgumentException("--bind-interface " + options.bindInterface() + ": its address "
                        + IpPrefix.format(a) + " is a loopback address, which other hosts cannot reach");
            }
            return a; // the interface is only read: weft never changes the underlay
        }
    }
}
