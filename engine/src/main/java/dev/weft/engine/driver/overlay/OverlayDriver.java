package dev.weft.engine.driver.overlay;

import dev.weft.engine.NetworkConfig;
import dev.weft.engine.Scope;
import dev.weft.engine.WeftException;
import dev.weft.engine.driver.DriverOptions;
import dev.weft.engine.driver.HostSubnets;
import dev.weft.engine.driver.EndpointInterface;
import dev.weft.engine.driver.NetworkDriver;
import dev.weft.engine.driver.SandboxPort;
import dev.weft.engine.driver.bridge.BridgeFirewall;
import dev.weft.engine.state.EndpointState;
import dev.weft.engine.state.NetworkState;
import dev.weft.linux.KernelException;
import dev.weft.linux.netns.Netns;
import dev.weft.net.IpPrefix;
import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.LinkSpec;
import dev.weft.net.MacAddress;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.linux.sysctl.Sysctl;
import dev.weft.store.Store;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The overlay driver: networks that span hosts, carried in VXLAN over the hosts' underlay.
 * On each host that has endpoints on a network, the host namespace holds a bridge ("wo-" + the
 * network id) without addresses and a VXLAN device ("wn-" + the network id, the network's VNI,
 * the host's advertise address as source, UDP 4789, learning off, ARP/NDP proxy on) as one of its
 * ports; each endpoint is a veth as in the bridge driver, host end "wo" + the endpoint id.
 * A network that is not internal has its gateway address on the bridge of every host with
 * endpoints on it (a distributed gateway: each container's default route leads to its own
 * host), and its subnets are masqueraded when they leave; the table {@code inet weft-overlay}
 * isolates overlays from each other and from bridge networks, as the bridge driver's does.
 * Nothing is learned from the data path: for every endpoint on another live host the controller
 * hands over, the VXLAN device gets a static forwarding entry (its MAC -> that host) and a
 * permanent neighbour entry (its addresses -> its MAC) that the device answers ARP and NDP
 * from, so the kernel keeps forwarding if weftd stops. The MTU is the underlay's minus the 50
 * bytes VXLAN adds, unless the network's com.docker.network.driver.mtu option says otherwise. The objects are made when
 * the first endpoint here joins and removed with the network. See docs/design.md for why they
 * live in the host namespace.
 */
public final class OverlayDriver implements NetworkDriver {
    static final String BRIDGE_PREFIX = "wo-";
    static final String VXLAN_PREFIX = "wn-";
    static final String VETH_PREFIX = "wo";
    static final int VXLAN_PORT = 4789;
    static final int VXLAN_OVERHEAD = 50;
    private final Rtnetlink host;
    private final Vnis vnis;
    private final InetAddress advertise;
    private final Map<String, Integer> vniCache = new ConcurrentHashMap<>();
    private final Sysctl sysctl;
    private final BridgeFirewall firewall;
    private final Map<String, BridgeFirewall.Net> active = new ConcurrentHashMap<>();
    /** Network id -> the remote entries last programmed on its VXLAN device (see {@link #remoteEndpoints}). */
    private final Map<String, RemoteEntries> programmed = new ConcurrentHashMap<>();

    /**
     * A driver working in {@code hostNs} (the process's own when null), sending from
     * {@code advertise}. Create it at start-up: it opens its nftables context.
     */
    public OverlayDriver(Netns hostNs, Store global, InetAddress advertise) {
        this.host = hostNs == null ? Rtnetlink.open() : Rtnetlink.open(hostNs);
        this.sysctl = hostNs == null ? Sysctl.current() : Sysctl.of(hostNs);
        this.vnis = new Vnis(global);
        this.advertise = advertise;
        try {
            this.firewall = new BridgeFirewall(hostNs, "weft-overlay", List.of("wb-*"));
        } catch (RuntimeException e) {
            host.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return "overlay";
    }

    @Override
    public Scope scope() {
        return Scope.GLOBAL;
    }

    @Override
    public boolean allocatesAddresses() {
        return true;
    }

    @Override
    public void validate(NetworkConfig config) {
        DriverOptions.checkKnown("overlay", config.options(), List.of(DriverOptions.MTU));
        DriverOptions.mtu(config.options());
    }

    /** Explicit subnets must not capture the host's own addresses or routes (weft's own bridges aside). */
    @Override
    public Map<String, String> hostObjects(NetworkConfig config) {
        Set<String> weftLinks = new HashSet<>();
        host.links().list().stream().map(Link::name).filter(l -> l.startsWith(BRIDGE_PREFIX) || l.startsWith("wb-"))
                .forEach(weftLinks::add);
        HostSubnets.check(host, config, weftLinks);
        return Map.of();
    }

    static String bridgeName(String networkId) {
        return BRIDGE_PREFIX + networkId.substring(0, 12);
    }

    static String vxlanName(String networkId) {
        return VXLAN_PREFIX + networkId.substring(0, 12);
    }

    static String hostSide(EndpointState ep) {
        return VETH_PREFIX + ep.id().substring(0, 13);
    }

    /** Gives the network its VNI; the kernel objects come with the first join on each host. */
    @Override
    public void createNetwork(NetworkState n) {
        vniCache.put(n.id(), vnis.allocate(n.id()));
    }

    @Override
    public void deleteNetwork(NetworkState n) {
        programmed.remove(n.id());
        host.links().deleteIfExists(vxlanName(n.id()));
        host.links().deleteIfExists(bridgeName(n.id()));
        if (active.remove(n.id()) != null) {
            firewall.sync(active.values(), List.of());
        }
        vniCache.remove(n.id());
        vnis.release(n.id());
    }

    /** Makes the network's bridge and VXLAN device on this host if they are missing; returns the MTU. */
    private int ensure(NetworkState n) {
        String bridge = bridgeName(n.id());
        String vxlan = vxlanName(n.id());
        int mtu = mtu(n);
        if (host.links().find(bridge).isEmpty()) {
            host.links().create(new LinkSpec.Bridge(bridge, mtu, null));
        }
        if (host.links().find(vxlan).isEmpty()) {
            int vni = vniCache.computeIfAbsent(n.id(), id -> vnis.find(id).orElseThrow(() ->
                    new WeftException(WeftException.Kind.UNAVAILABLE, "network " + n.name() + " has no VXLAN id in the store")));
            host.links().create(new LinkSpec.Vxlan(vxlan, vni, advertise, VXLAN_PORT, null, false, true, true, mtu));
            host.links().setMaster(vxlan, bridge);
        }
        host.links().setUp(vxlan);
        if (!n.internal()) {
            var present = host.addresses().list(bridge);
            for (var s : n.subnets()) {
                IpPrefix gw = IpPrefix.parse(s.gateway());
                if (present.stream().noneMatch(a -> a.prefix().equals(gw))) {
                    host.addresses().add(bridge, gw);
                }
            }
            sysctl.ipForward(true);
        }
        host.links().setUp(bridge);
        BridgeFirewall.Net net = new BridgeFirewall.Net(bridge, n.subnets().stream().map(s -> IpPrefix.parse(s.subnet())).toList(),
                true, n.internal());
        if (!net.equals(active.put(n.id(), net))) {
            firewall.sync(active.values(), List.of());
        }
        return mtu;
    }

    /** The network's MTU: its option, else the underlay's (the link holding the advertise address) minus 50. */
    private int mtu(NetworkState n) {
        int option = DriverOptions.mtu(n.options());
        if (option > 0) {
            return option;
        }
        for (var a : host.addresses().list()) {
            if (a.prefix().address().equals(advertise)) {
                return host.links().get(a.linkIndex()).mtu() - VXLAN_OVERHEAD;
            }
        }
        throw new WeftException(WeftException.Kind.UNAVAILABLE, "no interface on this host has the advertise address "
                + IpPrefix.format(advertise));
    }

    @Override
    public String join(NetworkState n, EndpointState ep, SandboxPort sandbox, String ifname) {
        if (sandbox.hostNetwork()) {
            throw WeftException.forbidden("a sandbox on the host's network cannot join overlay network " + n.name());
        }
        try {
            int mtu = ensure(n);
            String hostIf = hostSide(ep);
            host.links().create(new LinkSpec.Veth(hostIf, ifname, sandbox.netns(), mtu, null, MacAddress.parse(ep.mac()),
                    bridgeName(n.id()), true));
            EndpointInterface.configure(sandbox, ifname, ep);
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
        return host.links().find(hostSide(ep)).isPresent() && (sandbox.handOff()
                || sandbox.netns() != null && sandbox.rtnetlink().links().find(ep.ifname()).isPresent());
    }

    @Override
    public void leave(NetworkState n, EndpointState ep, SandboxPort sandbox) {
        host.links().deleteIfExists(hostSide(ep));
    }

    /**
     * Programs forwarding and neighbour entries for exactly {@code remote}. The first time for a
     * network's VXLAN device (after a start, or once the device was made again) this compares
     * against what the kernel holds, so entries left by a previous weftd are corrected too; after
     * that against what this driver programmed last, so a change of one endpoint costs the kernel
     * requests of that endpoint alone, however many there are (every host on the network makes
     * this call for every join and leave anywhere on it). Nothing to do while this host has no
     * endpoint on the network.
     */
    @Override
    public void remoteEndpoints(NetworkState n, List<EndpointState> remote) {
        String vxlan = vxlanName(n.id());
        Link device = host.links().find(vxlan).orElse(null);
        if (device == null) {
            programmed.remove(n.id());
            return;
        }
        RemoteEntries want = RemoteEntries.of(remote);
        RemoteEntries last = programmed.remove(n.id()); // absent while changing: a failure halfway means a full pass next time
        if (last == null || last.deviceIndex() != device.index()) {
            for (var e : host.fdb().list(vxlan)) {
                if (e.destination() != null && !e.destination().equals(want.forwarding().get(e.mac()))) {
                    host.fdb().deleteIfExists(vxlan, e.mac(), e.destination());
                }
            }
            for (var e : host.neighbours().list(vxlan)) {
                if (!e.mac().equals(want.neighbours().get(e.ip()))) {
                    host.neighbours().deleteIfExists(vxlan, e.ip());
                }
            }
            want.forwarding().forEach((mac, vtep) -> host.fdb().replace(vxlan, mac, vtep));
            want.neighbours().forEach((ip, mac) -> host.neighbours().replace(vxlan, ip, mac));
        } else {
            last.forwarding().forEach((mac, vtep) -> {
                if (!vtep.equals(want.forwarding().get(mac))) {
                    host.fdb().deleteIfExists(vxlan, mac, vtep);
                }
            });
            last.neighbours().forEach((ip, mac) -> {
                if (!want.neighbours().containsKey(ip)) {
                    host.neighbours().deleteIfExists(vxlan, ip);
                }
            });
            want.forwarding().forEach((mac, vtep) -> {
                if (!vtep.equals(last.forwarding().get(mac))) {
                    host.fdb().replace(vxlan, mac, vtep);
                }
            });
            want.neighbours().forEach((ip, mac) -> {
                if (!mac.equals(last.neighbours().get(ip))) {
                    host.neighbours().replace(vxlan, ip, mac);
                }
            });
        }
        programmed.put(n.id(), want.on(device.index()));
    }

    /**
     * After a restart: makes the objects of networks with endpoints joined here, and removes
     * overlay links no record names. Remote entries are programmed again by the controller.
     */
    @Override
    public void reconcile(List<NetworkState> networks, List<EndpointState> endpoints) {
        Set<String> keep = new HashSet<>();
        active.clear();
        programmed.clear();
        Map<String, NetworkState> byId = new java.util.HashMap<>();
        networks.stream().filter(n -> !n.deleting()).forEach(n -> byId.put(n.id(), n));
        for (EndpointState ep : endpoints) {
            NetworkState n = byId.get(ep.networkId());
            if (n != null && ep.joined() && advertiseText().equals(ep.host())) {
                ensure(n);
                keep.add(bridgeName(n.id()));
                keep.add(vxlanName(n.id()));
                keep.add(hostSide(ep));
            }
        }
        firewall.sync(active.values(), List.of());
        for (Link link : host.links().list()) {
            String name = link.name();
            boolean ours = (name.startsWith(BRIDGE_PREFIX) && "bridge".equals(link.kind()))
                    || (name.startsWith(VXLAN_PREFIX) && "vxlan".equals(link.kind()))
                    || (name.startsWith(VETH_PREFIX) && !name.startsWith(BRIDGE_PREFIX) && "veth".equals(link.kind()));
            if (ours && !keep.contains(name)) {
                host.links().deleteIfExists(name);
            }
        }
    }

    private String advertiseText() {
        return IpPrefix.format(advertise);
    }

    /** Rewrites the overlay's table from the networks active here if anything of it is missing. */
    @Override
    public List<String> restoreFirewall() {
        List<String> damage = firewall.damage();
        if (!damage.isEmpty()) {
            firewall.sync(active.values(), List.of());
        }
        return damage;
    }

    @Override
    public void close() {
        firewall.close();
        host.close();
    }
}
