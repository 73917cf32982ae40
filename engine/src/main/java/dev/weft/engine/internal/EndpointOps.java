package dev.weft.engine.internal;

import dev.weft.engine.EndpointOptions;
import dev.weft.engine.Errors;
import dev.weft.engine.PortBinding;
import dev.weft.engine.Undo;
import dev.weft.engine.WeftException;
import dev.weft.engine.driver.NetworkDriver;
import dev.weft.engine.driver.SandboxPort;
import dev.weft.engine.ipam.Ipam;
import dev.weft.engine.ipam.IpamException;
import dev.weft.engine.ipam.Subnets;
import dev.weft.engine.state.EndpointState;
import dev.weft.engine.state.NetworkState.SubnetState;
import dev.weft.engine.state.NetworkState;
import dev.weft.engine.state.SandboxState;
import dev.weft.linux.KernelException;
import dev.weft.net.IpPrefix;
import dev.weft.net.MacAddress;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Endpoint create, delete, join and leave, with their IPAM work. */
public final class EndpointOps {
    static final String IFACE_PREFIX = "com.docker.network.container_iface_prefix";
    /** How the sandbox id of an endpoint handed off to another runtime's container begins. */
    static final String HANDOFF_PREFIX = "handoff:";
    private final Context c;
    private final SandboxPorts ports;
    private final ServiceVips vips;

    EndpointOps(Context c, SandboxPorts ports, ServiceVips vips) {
        this.c = c;
        this.ports = ports;
        this.vips = vips;
    }

    /** Creates an endpoint and hands out its addresses; its id. */
    public String create(String networkId, String name, EndpointOptions options) {
        Ids.checkName("endpoint", name);
        c.lock().lock();
        try (Undo undo = new Undo()) {
            NetworkState n = c.network(networkId);
            if (c.state().endpoints(networkId).stream().anyMatch(e -> e.name().equals(name))) {
                throw WeftException.conflict("endpoint " + name + " already exists in network " + n.name());
            }
            checkPorts(n, options);
            String id = Ids.newId();
            String note = GlobalAddressNotes.note(c, n, id); // until the record is written
            undo.push("forget the note on endpoint " + id, () -> GlobalAddressNotes.done(c, note));
            IpPrefix v4 = address(n, false, options.ipv4(), id, undo);
            if (options.vip() && options.ipv6() != null) {
                throw WeftException.invalid("a virtual IP is IPv4 only");
            }
            // a virtual IP balances IPv4 only: an IPv6 address would be answered by DNS and lead nowhere
            IpPrefix v6 = options.vip() ? null : address(n, true, options.ipv6(), id, undo);
            MacAddress mac = options.mac() != null ? options.mac()
                    : v4 != null ? MacAddress.fromIpv4((Inet4Address) v4.address()) : MacAddress.random();
            String placed = options.joinsHere() && c.state().isGlobal(n) ? c.self() : null;
            EndpointState ep = new EndpointState(id, name, networkId, mac.toString(), str(v4), str(v6),
                    options.aliases(), options.ports().stream().map(PortBinding::toString).toList(), null, null, null, 0,
                    placed, null, options.service(), options.vip());
            c.state().put(ep);
            undo.commit();
            GlobalAddressNotes.done(c, note);
            if (ep.vip()) {
                vips.networkChanged(networkId);
            }
            return id;
        } finally {
            c.lock().unlock();
        }
    }

    /** Ports only on drivers that publish them, and no host port twice (among networks that use host ports). */
    private void checkPorts(NetworkState n, EndpointOptions options) {
        if (options.ports().isEmpty()) {
            return;
        }
        if (!c.drivers().get(n.driver()).publishesPorts()) {
            throw WeftException.invalid("the " + n.driver() + " driver cannot publish ports");
        }
        if (!usesHostPorts(n)) {
            return;
        }
        for (EndpointState other : c.state().endpoints()) {
            if (!c.state().network(other.networkId()).map(this::usesHostPorts).orElse(true)) {
                continue;
            }
            for (String taken : other.ports()) {
                PortBinding t = PortBinding.parse(taken).getFirst();
                for (PortBinding p : options.ports()) {
                    boolean sameAddress = t.hostIp() == null || p.hostIp() == null || t.hostIp().equals(p.hostIp());
                    if (sameAddress && t.protocol().equals(p.protocol()) && t.hostPort() == p.hostPort()) {
                        throw WeftException.conflict("host port " + p.hostPort() + "/" + p.protocol()
                                + " is already published by endpoint " + other.name());
                    }
                }
            }
        }
    }

    private boolean usesHostPorts(NetworkState n) {
        NetworkDriver driver = c.drivers().get(n.driver());
        return driver == null || driver.usesHostPorts(n);
    }

    private IpPrefix address(NetworkState n, boolean ipv6, InetAddress preferred, String owner, Undo undo) {
        List<SubnetState> subnets = n.subnets().stream()
                .filter(s -> IpPrefix.parse(s.subnet()).isIpv4() != ipv6).toList();
        if (subnets.isEmpty()) {
            if (preferred != null) {
                throw WeftException.invalid("network " + n.name() + " has no " + (ipv6 ? "IPv6" : "IPv4")
                        + " subnet for address " + IpPrefix.format(preferred));
            }
            return null;
        }
        SubnetState subnet = preferred == null ? subnets.getFirst() : subnets.stream()
                .filter(s -> Subnets.contains(IpPrefix.parse(s.subnet()), preferred)).findFirst()
                .orElseThrow(() -> WeftException.invalid("address " + IpPrefix.format(preferred)
                        + " is in no subnet of network " + n.name()));
        try {
            Ipam ipam = c.ipams().forDriver(n.ipamDriver());
            IpPrefix a = ipam.requestAddress(subnet.poolId(), preferred, owner);
            undo.push("release address " + a, () -> ipam.releaseAddress(subnet.poolId(), a.address()));
            return a;
        } catch (IpamException e) {
            throw Errors.of(e);
        }
    }

    private static String str(IpPrefix p) {
        return p == null ? null : p.toString();
    }

    public EndpointState state(String networkId, String id) {
        return c.state().endpoint(networkId, id)
                .orElseThrow(() -> WeftException.notFound("endpoint " + id + " not found"));
    }

    public List<EndpointState> list(String networkId) {
        c.network(networkId);
        return c.state().endpoints(networkId);
    }

    /** The id of the endpoint called {@code nameOrId} (or with that id or unique id prefix). */
    public String find(String networkId, String nameOrId) {
        List<EndpointState> all = c.state().endpoints(networkId);
        Optional<EndpointState> exact = all.stream()
                .filter(e -> e.name().equals(nameOrId) || e.id().equals(nameOrId)).findFirst();
        List<EndpointState> match = exact.map(List::of).orElseGet(() -> all.stream()
                .filter(e -> !nameOrId.isEmpty() && e.id().startsWith(nameOrId)).toList());
        if (match.size() != 1) {
            throw match.isEmpty() ? WeftException.notFound("endpoint " + nameOrId + " not found in network "
                    + c.network(networkId).name()) : WeftException.invalid("endpoint id prefix " + nameOrId + " is ambiguous");
        }
        return match.getFirst().id();
    }

    public List<EndpointState> joinedTo(String sandboxId) {
        return c.state().joinedTo(sandboxId);
    }

    public void delete(String networkId, String id) {
        c.lock().lock();
        try {
            EndpointState ep = state(networkId, id);
            if (ep.joined()) {
                throw WeftException.conflict("endpoint " + ep.name() + " is joined to sandbox "
                        + Ids.shortId(ep.sandboxId()) + "; leave it first");
            }
            NetworkState n = c.network(networkId);
            // first forget it: a restart releases local addresses nobody holds; a global address,
            // which another host may be about to record, is noted here until released
            String note = GlobalAddressNotes.note(c, n, ep.id());
            c.state().deleteEndpoint(ep);
            releaseAddresses(n, ep);
            GlobalAddressNotes.done(c, note);
            if (ep.vip()) {
                vips.networkChanged(networkId);
            }
        } finally {
            c.lock().unlock();
        }
    }

    void releaseAddresses(NetworkState n, EndpointState ep) {
        for (String a : new String[] {ep.ipv4(), ep.ipv6()}) {
            if (a == null) {
                continue;
            }
            InetAddress ip = IpPrefix.parse(a).address();
            for (SubnetState s : n.subnets()) {
                if (Subnets.contains(IpPrefix.parse(s.subnet()), ip)) {
                    try {
                        c.ipams().forDriver(n.ipamDriver()).releaseAddress(s.poolId(), ip);
                    } catch (IpamException e) {
                        if (e.reason() != IpamException.Reason.NOT_ALLOCATED) {
                            throw Errors.of(e);
                        }
                    }
                }
            }
        }
    }

    public void join(String networkId, String id, String sandboxId, int priority, String wantedIfname) {
        c.lock().lock();
        try (Undo undo = new Undo()) {
            EndpointState ep = state(networkId, id);
            NetworkState n = c.network(networkId);
            SandboxState sb = c.sandbox(sandboxId);
            if (ep.joined()) {
                throw WeftException.conflict("endpoint " + ep.name() + " is already joined to sandbox " + Ids.shortId(ep.sandboxId()));
            }
            if (ep.vip()) {
                throw WeftException.conflict("endpoint " + ep.name() + " is a service's virtual IP; containers join as its backends");
            }
            List<EndpointState> joined = c.state().joinedTo(sandboxId);
            if (joined.stream().anyMatch(e -> e.networkId().equals(networkId))) {
                throw WeftException.conflict("sandbox " + Ids.shortId(sandboxId) + " is already on network " + n.name());
            }
            String ifname = wantedIfname != null ? wantedIfname : interfaceName(n, joined);
            if (joined.stream().anyMatch(e -> ifname.equals(e.ifname()))) {
                throw WeftException.conflict("sandbox " + Ids.shortId(sandboxId) + " already has an interface " + ifname);
            }
            NetworkDriver driver = c.drivers().get(n.driver());
            try {
                SandboxPort port = ports.port(sb);
                undo.push("leave network " + n.name(),
                        () -> driver.leave(n, ep.joinedTo(sandboxId, sb.containerId(), ifname, null, priority, c.self()), port));
                String hostSide = driver.join(n, ep, port, ifname);
                EndpointState joinedEp = ep.joinedTo(sandboxId, sb.containerId(), ifname, hostSide, priority, c.self());
                c.state().put(joinedEp);
                undo.push("forget the join of " + ep.name(), () -> c.state().put(ep));
                ports.refresh(sb, port);
            } catch (KernelException e) {
                throw Errors.of(e);
            }
            undo.commit();
            vips.networkChanged(networkId);
        } finally {
            c.lock().unlock();
        }
    }

    /** eth0, eth1, ...: the lowest number free in the sandbox, with the network's prefix option. */
    private static String interfaceName(NetworkState n, List<EndpointState> joined) {
        String prefix = n.options().getOrDefault(IFACE_PREFIX, "eth");
        Set<String> taken = new HashSet<>();
        joined.forEach(e -> taken.add(e.ifname()));
        for (int i = 0; ; i++) {
            if (!taken.contains(prefix + i)) {
                return prefix + i;
            }
        }
    }

    /** Whether {@code ep} is joined to a container of another runtime, through a hand-off port. */
    static boolean handedOff(EndpointState ep) {
        return ep.sandboxId() != null && ep.sandboxId().startsWith(HANDOFF_PREFIX);
    }

    /**
     * Joins the endpoint to {@code container} of another runtime: the driver leaves its interface
     * in the host namespace as {@code ifname}, for that runtime to move and configure. The join is
     * recorded like any other (on a global network, with this host as where it lives), so other
     * hosts reach it. Repeating it for the same container starts over.
     */
    public void handOff(String networkId, String id, String container, String ifname) {
        Ids.checkName("container", container);
        String sandboxId = HANDOFF_PREFIX + container;
        c.lock().lock();
        try (Undo undo = new Undo()) {
            EndpointState ep = state(networkId, id);
            NetworkState n = c.network(networkId);
            NetworkDriver driver = c.drivers().get(n.driver());
            if (!driver.handsOff()) {
                throw WeftException.invalid("the " + n.driver() + " driver cannot hand interfaces over to another runtime");
            }
            if (ep.joined()) {
                if (!sandboxId.equals(ep.sandboxId())) {
                    throw WeftException.conflict("endpoint " + ep.name() + " is already joined to sandbox " + Ids.shortId(ep.sandboxId()));
                }
                leave(networkId, id, sandboxId);
                ep = state(networkId, id);
            }
            SandboxPort port = SandboxPort.handOff(sandboxId);
            EndpointState joining = ep.joinedTo(sandboxId, container, ifname, null, 0, c.self());
            undo.push("take back the interface of " + ep.name(), () -> driver.leave(n, joining, port));
            String hostSide = driver.join(n, ep, port, ifname);
            c.state().put(ep.joinedTo(sandboxId, container, ifname, hostSide, 0, c.self()));
            undo.commit();
            vips.networkChanged(networkId);
        } catch (KernelException e) {
            throw Errors.of(e);
        } finally {
            c.lock().unlock();
        }
    }

    public void leaveAnywhere(String networkId, String id) {
        c.lock().lock();
        try {
            EndpointState ep = state(networkId, id);
            if (!ep.joined()) {
                return;
            }
            if (c.state().sandbox(ep.sandboxId()).isPresent() || handedOff(ep) && c.onThisHost(ep)) {
                leave(networkId, id, ep.sandboxId());
            } else {
                c.state().put(ep.left()); // joined on another host: its weftd tidies its kernel objects
                vips.networkChanged(networkId);
            }
        } finally {
            c.lock().unlock();
        }
    }

    public void leave(String networkId, String id, String sandboxId) {
        c.lock().lock();
        try {
            EndpointState ep = state(networkId, id);
            if (!sandboxId.equals(ep.sandboxId())) {
                throw WeftException.conflict("endpoint " + ep.name() + " is not joined to sandbox " + Ids.shortId(sandboxId));
            }
            NetworkState n = c.network(networkId);
            if (handedOff(ep)) {
                c.drivers().get(n.driver()).leave(n, ep, SandboxPort.handOff(sandboxId));
                c.state().put(ep.left());
                vips.networkChanged(networkId);
                return;
            }
            SandboxState sb = c.sandbox(sandboxId);
            try {
                SandboxPort port = ports.port(sb);
                c.drivers().get(n.driver()).leave(n, ep, port);
                c.state().put(ep.left());
                ports.refresh(sb, port);
                vips.networkChanged(networkId); // a backend leaving gets no new connection from now on
            } catch (KernelException e) {
                throw Errors.of(e);
            }
        } finally {
            c.lock().unlock();
        }
    }
}
