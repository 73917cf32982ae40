package dev.weft.engine.driver.bridge;

import dev.weft.engine.NetworkConfig;
import dev.weft.engine.PortBinding;
import dev.weft.engine.Scope;
import dev.weft.engine.WeftException;
import dev.weft.engine.driver.EndpointInterface;
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

import java.net.InetAddress;
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
    static final String BRIDGE_PREFIX = "wb-";
    static final String VETH_PREFIX = "wv";
    private final Rtnetlink host;
    private final Sysctl sysctl;
    private final BridgeFirewall firewall;
    private final Map<String, BridgeFirewall.Net> networks = new ConcurrentHashMap<>();
    private final Map<String, List<BridgeFirewall.Published>> published = new ConcurrentHashMap<>();

    /**
     * A driver working in {@code hostNs}, or in the process's own namespace when null. Create it
     * at start-up: it opens its nftables context, which must happen while descriptors are few.
     */
    public BridgeDriver(Netns hostNs) {
        this.host = hostNs == null ? Rtnetlink.open() : Rtnetlink.open(hostNs);
        this.sysctl = hostNs == null ? Sysctl.current() : Sysctl.of(hostNs);
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
            if (host.links().find(bridge).isEmpty()) {
                host.links().create(new LinkSpec.Bridge(bridge, o.mtu(), null));
            }
            for (SubnetState s : n.subnets()) {
                IpPrefix gw = IpPrefix.parse(s.gateway());
                if (host.addresses().list(bridge).stream().noneMatch(a -> a.prefix().equals(gw))) {
                    host.addresses().add(bridge, gw);
                }
            }
            host.links().setUp(bridge);
            if (!n.internal()) {
                sysctl.ipForward(true);
            }
            networks.put(n.id(), net(n, o));
            syncFirewall();
        } catch (KernelException e) {
            throw new WeftException(WeftException.Kind.UNAVAILABLE, "create network " + n.name() + ": " + e.getMessage(), e);
        }
    }

    private static BridgeFirewall.Net net(NetworkState n, BridgeOptions o) {
        return new BridgeFirewall.Net(bridgeName(n), n.subnets().stream().map(s -> IpPrefix.parse(s.subnet())).toList(),
                o.masquerade(), n.internal());
    }

    private void syncFirewall() {
        List<BridgeFirewall.Published> all = new ArrayList<>();
        published.values().forEach(all::addAll);
        firewall.sync(networks.values(), all);
    }

    @Override
    public void deleteNetwork(NetworkState n) {
        host.links().deleteIfExists(bridgeName(n));
        if (networks.remove(n.id()) != null) {
            syncFirewall();
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
        try {
            host.links().create(new LinkSpec.Veth(hostIf, ifname, sandbox.netns(), o.mtu(), null, MacAddress.parse(ep.mac()),
                    bridge, true));
            boolean hairpin = !ep.ports().isEmpty(); // only a container with published ports can loop back to itself
            if (hairpin || !o.icc()) {
                host.links().setBridgePort(hostIf, new BridgePort(hairpin, null, null, null, !o.icc()));
            }
            EndpointInterface.configure(sandbox, ifname, ep);
            List<BridgeFirewall.Published> ports = ports(ep, o);
            if (!ports.isEmpty()) {
                published.put(ep.id(), ports);
                firewall.publish(ports);
            }
            return hostIf;
        } catch (KernelException e) {
            throw new WeftException(WeftException.Kind.UNAVAILABLE,
                    "join endpoint " + ep.name() + " to network " + n.name() + ": " + e.getMessage(), e);
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

    /** The endpoint's published ports; a port without a host address gets the network's host_binding_ipv4. */
    private static List<BridgeFirewall.Published> ports(EndpointState ep, BridgeOptions o) {
        if (ep.ports().isEmpty() || ep.ipv4() == null) {
            return List.of();
        }
        InetAddress container = IpPrefix.parse(ep.ipv4()).address();
        List<BridgeFirewall.Published> out = new ArrayList<>();
        for (String p : ep.ports()) {
            PortBinding b = PortBinding.parse(p).getFirst();
            if (b.hostIp() == null && o.hostBinding() != null && !o.hostBinding().isAnyLocalAddress()) {
                b = new PortBinding(b.protocol(), o.hostBinding(), b.hostPort(), b.containerPort());
            }
            out.add(new BridgeFirewall.Published(b, container));
        }
        return out;
    }

    @Override
    public void leave(NetworkState n, EndpointState ep, SandboxPort sandbox) {
        List<BridgeFirewall.Published> ports = published.remove(ep.id());
        if (ports != null) {
            firewall.unpublish(ports);
        }
        host.links().deleteIfExists(hostSide(ep));
    }

    @Override
    public void reconcile(List<NetworkState> networks, List<EndpointState> endpoints) {
        Set<String> bridges = new HashSet<>();
        Set<String> veths = new HashSet<>();
        this.networks.clear();
        this.published.clear();
        Map<String, BridgeOptions> options = new HashMap<>();
        networks.forEach(n -> options.put(n.id(), BridgeOptions.parse(n.options())));
        for (EndpointState ep : endpoints) {
            if (ep.joined()) {
                veths.add(hostSide(ep));
                List<BridgeFirewall.Published> ports = ports(ep, options.get(ep.networkId()));
                if (!ports.isEmpty()) {
                    published.put(ep.id(), ports);
                }
            }
        }
        for (NetworkState n : networks) {
            if (!n.deleting()) {
                createNetwork(n);
                bridges.add(bridgeName(n));
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

    @Override
    public void close() {
        firewall.close();
        host.close();
    }
}
