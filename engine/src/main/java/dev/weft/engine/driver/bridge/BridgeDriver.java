package dev.weft.engine.driver.bridge;

import dev.weft.engine.NetworkConfig;
import dev.weft.engine.PortBinding;
import dev.weft.engine.Scope;
import dev.weft.engine.WeftException;
import dev.weft.engine.driver.EndpointInterface;
import dev.weft.engine.driver.HostSubnets;
import dev.weft.engine.driver.NetworkDriver;
import dev.weft.engine.driver.SandboxPort;
import dev.weft.engine.state.EndpointState;
import dev.weft.engine.state.NetworkState;
import dev.weft.engine.state.NetworkState.SubnetState;
import dev.weft.linux.KernelException;
import dev.weft.linux.netns.Netns;
import dev.weft.linux.rtnl.BridgePort;
import dev.weft.net.IpPrefix;
import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.LinkSpec;
import dev.weft.net.MacAddress;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.linux.sysctl.Sysctl;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The bridge driver: a Linux bridge per network in the host namespace, holding the gateway
 * addresses; per joined endpoint a veth whose container end is created directly inside the
 * sandbox's namespace with the endpoint's name, MAC and addresses, and whose host end ("wv" +
 * the endpoint id) is a port of the bridge: in hairpin mode when the endpoint publishes ports (so
 * it reaches its own published ports), isolated from its siblings when ICC is off.
 * Masquerade, isolation between networks, internal networks and published ports are rules of
 * weft's nftables table ({@link BridgeFirewall}). Bridges it names itself are "wb-" + the
 * network id; both prefixes let a restart find and remove what no record names.
 */
public final class BridgeDriver implements NetworkDriver {
    private static final System.Logger LOG = System.getLogger(BridgeDriver.class.getName());
    static final String BRIDGE_PREFIX = "wb-";
    static final String VETH_PREFIX = "wv";
    /** In a network's hostObjects: "user" when its bridge was there before it (weft never deletes that one). */
    static final String USER_BRIDGE = "bridge.created";
    /** In a network's hostObjects: the addresses a user-managed bridge had (weft never removes those). */
    static final String USER_ADDRESSES = "bridge.addresses";
    private final Rtnetlink host;
    private final Sysctl sysctl;
    private final BridgeFirewall firewall;
    private final Map<String, BridgeFirewall.Net> networks = new ConcurrentHashMap<>();
    private final Map<String, List<BridgeFirewall.Published>> published = new ConcurrentHashMap<>();
    private final HostPorts hostPorts;

    /**
     * A driver working in {@code hostNs}, or in the process's own namespace when null. Create it
     * at start-up: it opens its nftables context, which must happen while descriptors are few.
     */
    public BridgeDriver(Netns hostNs) {
        this.host = hostNs == null ? Rtnetlink.open() : Rtnetlink.open(hostNs);
        this.sysctl = hostNs == null ? Sysctl.current() : Sysctl.of(hostNs);
        this.hostPorts = new HostPorts(hostNs);
        try {
            this.firewall = new BridgeFirewall(hostNs);
        } catch (RuntimeException e) {
            host.close();
            throw e;
        }
    }

    @Override
    public boolean publishesPorts() {
        return true;
    }

    /**
     * Unless every family of the network is in routed mode: there a published port is opened on
     * the container's address only.
     */
    @Override
    public boolean usesHostPorts(NetworkState network) {
        BridgeOptions o = BridgeOptions.parse(network.options());
        return network.subnets().stream().anyMatch(s -> o.gatewayMode(IpPrefix.parse(s.subnet()).address()) != GatewayMode.ROUTED);
    }

    @Override
    public String name() {
        return "bridge";
    }

    @Override
    public Scope scope() {
        return Scope.LOCAL;
    }

    @Override
    public boolean allocatesAddresses() {
        return true;
    }

    @Override
    public void validate(NetworkConfig config) {
        BridgeOptions o = BridgeOptions.parse(config.options());
        if (o.bridgeName() != null && o.bridgeName().startsWith(VETH_PREFIX)) {
            throw WeftException.invalid("bridge name " + o.bridgeName() + " uses the prefix weft keeps for endpoint links");
        }
        for (String key : List.of(BridgeOptions.GATEWAY_MODE_IPV4, BridgeOptions.GATEWAY_MODE_IPV6)) {
            if (GatewayMode.ISOLATED.option().equals(config.options().get(key)) && !config.internal()) {
                throw WeftException.invalid("option " + key + "=isolated needs an internal network (--internal), as in Docker");
            }
        }
    }

    /**
     * A bridge name that names an existing link: a Linux bridge weft does not use yet becomes a
     * user-managed bridge (recorded, with the addresses it already has, so that weft later removes
     * only its own addresses and ports and never the bridge), anything else is refused. Explicit
     * subnets that would capture the host's own addresses or routes are refused too.
     */
    @Override
    public Map<String, String> hostObjects(NetworkConfig config) {
        String name = BridgeOptions.parse(config.options()).bridgeName();
        Map<String, String> objects = new HashMap<>();
        Set<String> weftLinks = new HashSet<>();
        networks.values().forEach(net -> weftLinks.add(net.bridge()));
        if (name != null) {
            if (weftLinks.contains(name)) {
                throw WeftException.conflict("bridge " + name + " is already used by another network");
            }
            Link link = host.links().find(name).orElse(null);
            if (link != null && !"bridge".equals(link.kind())) {
                throw WeftException.invalid("bridge name " + name + " names an existing " + (link.kind() == null ? "device" : link.kind())
                        + " interface of the host that is not a bridge: weft uses an existing interface only if it is a Linux"
                        + " bridge, and never changes other interfaces (choose another name)");
            }
            if (link != null && name.startsWith(BRIDGE_PREFIX)) {
                throw WeftException.invalid("bridge " + name + " exists and has the prefix " + BRIDGE_PREFIX
                        + " of the bridges weft makes and removes: a bridge of your own needs another name");
            }
            if (link != null) {
                objects.put(USER_BRIDGE, "user");
                objects.put(USER_ADDRESSES, String.join(",", host.addresses().list(name).stream()
                        .map(a -> a.prefix().toString()).toList()));
                weftLinks.add(name);
            }
        }
        HostSubnets.check(host, config, weftLinks);
        return objects;
    }

    /** Whether the network's bridge existed before it, made by someone else (Docker's "created by user"). */
    static boolean userManaged(NetworkState n) {
        return "user".equals(n.hostObjects().get(USER_BRIDGE));
    }

    /** The Linux bridge of network {@code n} (its bridge.name option, else a name from its id). */
    public static String bridgeName(NetworkState n) {
        String name = n.options().get(BridgeOptions.NAME);
        return name != null ? name : BRIDGE_PREFIX + n.id().substring(0, 12);
    }

    static String hostSide(EndpointState ep) {
        return VETH_PREFIX + ep.id().substring(0, 13);
    }

    @Override
    public void createNetwork(NetworkState n) {
        BridgeOptions o = BridgeOptions.parse(n.options());
        String bridge = bridgeName(n);
        try {
            Link existing = host.links().find(bridge).orElse(null);
            if (existing == null && userManaged(n)) {
                throw new WeftException(WeftException.Kind.UNAVAILABLE, "network " + n.name() + ": its user-managed bridge "
                        + bridge + " is gone (create it again, or remove the network)");
            }
            if (existing != null && !"bridge".equals(existing.kind())) {
                throw new WeftException(WeftException.Kind.UNAVAILABLE, "network " + n.name() + ": " + bridge
                        + " is not a bridge (any more): weft leaves it alone");
            }
            if (existing == null) {
                host.links().create(new LinkSpec.Bridge(bridge, o.mtu() > 0 ? o.mtu() : defaultRouteMtu(), null));
                if (o.gatewayMode6() == GatewayMode.ISOLATED || o.gatewayMode4() == GatewayMode.ISOLATED
                        && n.subnets().stream().noneMatch(s -> s.subnet().contains(":"))) {
                    try {
                        sysctl.disableIpv6(bridge, true); // not even a link-local address of the host on the network
                    } catch (KernelException.NotFound e) {
                        // a kernel without IPv6 gives the bridge no link-local address anyway
                    }
                }
            }
            for (SubnetState s : n.subnets()) {
                IpPrefix gw = IpPrefix.parse(s.gateway());
                if (o.gatewayMode(gw.address()) == GatewayMode.ISOLATED) {
                    continue; // no address on the bridge: the host is not on this network
                }
                if (host.addresses().list(bridge).stream().noneMatch(a -> a.prefix().equals(gw))) {
                    host.addresses().add(bridge, gw);
                }
            }
            host.links().setUp(bridge);
            if (!n.internal()) {
                forwarding(n);
            }
            networks.put(n.id(), net(n, o));
            syncFirewall();
        } catch (KernelException e) {
            throw new WeftException(WeftException.Kind.UNAVAILABLE, "create network " + n.name() + ": " + e.getMessage(), e);
        }
    }

    /** Turns on forwarding in the host namespace for each family the network has (Docker does the same). */
    private void forwarding(NetworkState n) {
        if (n.subnets().stream().anyMatch(s -> IpPrefix.parse(s.subnet()).isIpv4())) {
            sysctl.ipForward(true);
        }
        if (n.subnets().stream().anyMatch(s -> !IpPrefix.parse(s.subnet()).isIpv4())) {
            sysctl.ipv6Forwarding(true);
        }
    }

    private static BridgeFirewall.Net net(NetworkState n, BridgeOptions o) {
        return new BridgeFirewall.Net(bridgeName(n), n.subnets().stream().map(s -> IpPrefix.parse(s.subnet())).toList(),
                o.masquerade(), n.internal(), o.gatewayMode4(), o.gatewayMode6(), o.trustedInterfaces());
    }

    /**
     * The MTU of the interface of the host's default route (IPv4's, else IPv6's), as netavark
     * does; 0 (the kernel's default) when the host has no default route.
     */
    private int defaultRouteMtu() {
        return host.routes().defaultRoute(IpPrefix.parseAddress("0.0.0.0"))
                .or(() -> host.routes().defaultRoute(IpPrefix.parseAddress("::")))
                .map(r -> host.links().get(r.outIndex()).mtu()).orElse(0);
    }

    private void syncFirewall() {
        List<BridgeFirewall.Published> all = new ArrayList<>();
        published.values().forEach(all::addAll);
        firewall.sync(networks.values(), all);
    }

    /** Deletes the bridge weft made; from a user-managed one, only the gateway addresses weft added. */
    @Override
    public void deleteNetwork(NetworkState n) {
        if (networks.remove(n.id()) != null) {
            syncFirewall();
        }
        String bridge = bridgeName(n);
        if (!userManaged(n)) {
            host.links().deleteIfExists(bridge);
            return;
        }
        List<String> theirs = List.of(n.hostObjects().getOrDefault(USER_ADDRESSES, "").split(","));
        Link link = host.links().find(bridge).orElse(null);
        for (SubnetState s : n.subnets()) {
            IpPrefix gw = IpPrefix.parse(s.gateway());
            if (link != null && "bridge".equals(link.kind()) && !theirs.contains(gw.toString())
                    && host.addresses().list(bridge).stream().anyMatch(a -> a.prefix().equals(gw))) {
                host.addresses().delete(bridge, gw);
            }
        }
    }

    @Override
    public String join(NetworkState n, EndpointState ep, SandboxPort sandbox, String ifname) {
        if (sandbox.hostNetwork()) {
            throw WeftException.forbidden("a sandbox on the host's network cannot join bridge network " + n.name());
        }
        BridgeOptions o = BridgeOptions.parse(n.options());
        String hostIf = hostSide(ep);
        String bridge = bridgeName(n);
        List<BridgeFirewall.Published> ports = ports(ep, o);
        hostPorts.reserve(ep.id(), ep.name(), ports); // before anything is made: a port in use is refused
        try {
            int mtu = o.mtu() > 0 ? o.mtu() : host.links().get(bridge).mtu(); // the bridge's, from the default route's
            host.links().create(new LinkSpec.Veth(hostIf, ifname, sandbox.netns(), mtu, null, MacAddress.parse(ep.mac()),
                    bridge, true));
            boolean hairpin = !ep.ports().isEmpty(); // only a container with published ports can loop back to itself
            if (hairpin || !o.icc()) {
                host.links().setBridgePort(hostIf, new BridgePort(hairpin, null, null, null, !o.icc()));
            }
            EndpointInterface.configure(sandbox, ifname, ep);
            if (!ports.isEmpty()) {
                published.put(ep.id(), ports);
                firewall.publish(ports);
            }
            return hostIf;
        } catch (KernelException e) {
            hostPorts.release(ep.id());
            throw new WeftException(WeftException.Kind.UNAVAILABLE,
                    "join endpoint " + ep.name() + " to network " + n.name() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            hostPorts.release(ep.id());
            throw e;
        }
    }

    @Override
    public boolean handsOff() {
        return true;
    }

    /** Both ends are there; for a hand-off port, the host end (the other goes with its container). */
    @Override
    public boolean plumbed(NetworkState n, EndpointState ep, SandboxPort sandbox) {
        if (host.links().find(hostSide(ep)).isEmpty()) {
            return false;
        }
        return sandbox.handOff() || sandbox.netns() != null && sandbox.rtnetlink().links().find(ep.ifname()).isPresent();
    }

    /**
     * The endpoint's published ports, per family of the endpoint's addresses; a port without a
     * host address gets the network's host_binding_ipv4 (then IPv4 only). The host port leads to the
     * container's address of its family (both, for a binding without a host address) unless that
     * family is routed; the container port is open to direct routing on each address it leads to.
     */
    private static List<BridgeFirewall.Published> ports(EndpointState ep, BridgeOptions o) {
        if (ep.ports().isEmpty()) {
            return List.of();
        }
        List<BridgeFirewall.Published> out = new ArrayList<>();
        for (String p : ep.ports()) {
            PortBinding b = PortBinding.parse(p).getFirst();
            if (b.hostIp() == null && o.hostBinding() != null && !o.hostBinding().isAnyLocalAddress()) {
                b = new PortBinding(b.protocol(), o.hostBinding(), b.hostPort(), b.containerPort());
            }
            if (ep.ipv4() != null && !(b.hostIp() instanceof Inet6Address)) {
                out.add(new BridgeFirewall.Published(b, IpPrefix.parse(ep.ipv4()).address(), o.gatewayMode4() != GatewayMode.ROUTED));
            }
            if (ep.ipv6() != null && !(b.hostIp() instanceof Inet4Address)) {
                out.add(new BridgeFirewall.Published(b, IpPrefix.parse(ep.ipv6()).address(), o.gatewayMode6() != GatewayMode.ROUTED));
            }
        }
        return out;
    }

    @Override
    public void leave(NetworkState n, EndpointState ep, SandboxPort sandbox) {
        List<BridgeFirewall.Published> ports = published.remove(ep.id());
        if (ports != null) {
            firewall.unpublish(ports);
        }
        hostPorts.release(ep.id());
        host.links().deleteIfExists(hostSide(ep));
    }

    @Override
    public void reconcile(List<NetworkState> networks, List<EndpointState> endpoints) {
        Set<String> bridges = new HashSet<>();
        Set<String> veths = new HashSet<>();
        this.networks.clear();
        this.published.clear();
        hostPorts.close();
        Map<String, BridgeOptions> options = new HashMap<>();
        networks.forEach(n -> options.put(n.id(), BridgeOptions.parse(n.options())));
        for (EndpointState ep : endpoints) {
            if (ep.joined()) {
                veths.add(hostSide(ep));
                List<BridgeFirewall.Published> ports = ports(ep, options.get(ep.networkId()));
                if (!ports.isEmpty()) {
                    published.put(ep.id(), ports);
                    hostPorts.reacquire(ep.id(), ports);
                }
            }
        }
        for (NetworkState n : networks) {
            if (!n.deleting()) {
                bridges.add(bridgeName(n));
                try {
                    createNetwork(n);
                } catch (WeftException e) { // a user-managed bridge removed meanwhile: the other networks still come up
                    LOG.log(System.Logger.Level.WARNING, e.getMessage());
                }
            }
        }
        syncFirewall();
        for (Link link : host.links().list()) {
            String name = link.name();
            boolean strayBridge = name.startsWith(BRIDGE_PREFIX) && "bridge".equals(link.kind()) && !bridges.contains(name);
            boolean strayVeth = name.startsWith(VETH_PREFIX) && "veth".equals(link.kind()) && !veths.contains(name);
            if (strayBridge || strayVeth) {
                host.links().deleteIfExists(name);
            }
        }
    }

    /** Rewrites weft's table from the networks and published ports on record if anything of it is missing. */
    @Override
    public List<String> restoreFirewall() {
        List<String> damage = firewall.damage();
        if (!damage.isEmpty()) {
            syncFirewall();
        }
        return damage;
    }

    @Override
    public void close() {
        hostPorts.close();
        firewall.close();
        host.close();
    }
}
