package dev.weft.engine.driver.macvlan;

import dev.weft.engine.NetworkConfig;
import dev.weft.engine.Scope;
import dev.weft.engine.WeftException;
import dev.weft.engine.driver.DriverOptions;
import dev.weft.engine.driver.EndpointInterface;
import dev.weft.engine.driver.NetworkDriver;
import dev.weft.engine.driver.SandboxPort;
import dev.weft.engine.state.EndpointState;
import dev.weft.engine.state.NetworkState;
import dev.weft.linux.KernelException;
import dev.weft.linux.netns.Netns;
import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.LinkSpec;
import dev.weft.net.MacAddress;
import dev.weft.linux.rtnl.MacvlanMode;
import dev.weft.linux.rtnl.Rtnetlink;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The macvlan driver: each endpoint is a macvlan on the network's parent interface, created
 * directly inside the sandbox, so containers appear on the parent's LAN with their own MAC. The
 * gateway is the LAN's router (given with --gateway, else the subnet's first address); no
 * bridge and no NAT. Options: {@code parent} (required, a link of the host) and
 * {@code macvlan_mode} (bridge, private, vepa or passthru; bridge by default).
 */
public final class MacvlanDriver implements NetworkDriver {
    static final String PARENT = "parent";
    static final String MODE = "macvlan_mode";
    private static final Set<String> GENERIC = Set.of("com.docker.network.container_iface_prefix",
            "com.docker.network.enable_ipv6", "com.docker.network.internal", "com.docker.network.driver.mtu");
    private final Rtnetlink host;

    public MacvlanDriver(Netns hostNs) {
        this.host = hostNs == null ? Rtnetlink.open() : Rtnetlink.open(hostNs);
    }

    @Override
    public String name() {
        return "macvlan";
    }

    @Override
    public Scope scope() {
        return Scope.LOCAL;
    }

    @Override
    public boolean allocatesAddresses() {
        return true;
    }

    private record Options(String parent, MacvlanMode mode, int mtu) {
    }

    private static Options parse(Map<String, String> options) {
        Set<String> unknown = new TreeSet<>(options.keySet());
        unknown.removeAll(Set.of(PARENT, MODE));
        unknown.removeAll(GENERIC);
        if (!unknown.isEmpty()) {
            throw WeftException.invalid("unknown macvlan driver option(s): " + String.join(", ", unknown)
                    + " (known: parent, macvlan_mode, com.docker.network.driver.mtu)");
        }
        String parent = options.get(PARENT);
        if (parent == null || parent.isBlank()) {
            throw WeftException.invalid("the macvlan driver needs a parent interface: -o parent=IFACE");
        }
        MacvlanMode mode;
        try {
            mode = MacvlanMode.parse(options.getOrDefault(MODE, "bridge"));
        } catch (IllegalArgumentException e) {
            throw WeftException.invalid(e.getMessage());
        }
        if (mode == MacvlanMode.SOURCE) {
            throw WeftException.invalid("macvlan mode source is not supported (bridge, private, vepa, passthru)");
        }
        return new Options(parent, mode, DriverOptions.mtu(options));
    }

    @Override
    public void validate(NetworkConfig config) {
        Options o = parse(config.options());
        Link parent = host.links().find(o.parent()).orElseThrow(() ->
                WeftException.notFound("macvlan parent interface " + o.parent() + " does not exist on this host"));
        // weft only hangs macvlans off the parent, never changes it; the kernel takes Ethernet parents only
        if (parent.mac() == null || parent.mac().toString().equals("00:00:00:00:00:00")) {
            throw WeftException.invalid("macvlan parent interface " + o.parent() + " is not an Ethernet interface (a loopback?)");
        }
        if (o.mtu() > parent.mtu()) {
            throw WeftException.invalid("option " + DriverOptions.MTU + " " + o.mtu() + " is larger than parent "
                    + o.parent() + "'s MTU " + parent.mtu());
        }
    }

    @Override
    public void createNetwork(NetworkState network) {
        parse(network.options());
    }

    @Override
    public void deleteNetwork(NetworkState network) {
    }

    @Override
    public String join(NetworkState n, EndpointState ep, SandboxPort sandbox, String ifname) {
        if (sandbox.hostNetwork()) {
            throw WeftException.forbidden("a sandbox on the host's network cannot join macvlan network " + n.name());
        }
        Options o = parse(n.options());
        try {
            host.links().create(new LinkSpec.Macvlan(ifname, o.parent(), o.mode(), o.mtu(), MacAddress.parse(ep.mac()),
                    sandbox.netns()));
            EndpointInterface.configure(sandbox, ifname, ep);
            return null;
        } catch (KernelException e) {
            Throwable cause = e;
            String why = e instanceof KernelException.NotFound ? "macvlan parent interface " + o.parent()
                    + " does not exist on this host" : e.getMessage();
            throw new WeftException(e instanceof KernelException.NotFound ? WeftException.Kind.NOT_FOUND
                    : WeftException.Kind.UNAVAILABLE, "join endpoint " + ep.name() + " to network " + n.name() + ": " + why, cause);
        }
    }

    @Override
    public boolean plumbed(NetworkState n, EndpointState ep, SandboxPort sandbox) {
        if (sandbox.netns() == null) {
            return false;
        }
        return sandbox.rtnetlink().links().find(ep.ifname()).isPresent();
    }

    @Override
    public void leave(NetworkState n, EndpointState ep, SandboxPort sandbox) {
        if (sandbox.netns() == null || ep.ifname() == null) {
            return; // the sandbox is gone, and its macvlan with it
        }
        sandbox.rtnetlink().links().deleteIfExists(ep.ifname());
    }

    @Override
    public void reconcile(List<NetworkState> networks, List<EndpointState> endpoints) {
        // macvlan links live inside sandboxes: they go with their namespace
    }

    @Override
    public void close() {
        host.close();
    }
}
