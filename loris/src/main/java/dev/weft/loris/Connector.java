package dev.weft.loris;

import dev.weft.linux.KernelException;
import dev.weft.linux.ethtool.Ethtool;
import dev.weft.linux.netns.Netns;
import dev.weft.net.IpPrefix;
import dev.weft.linux.rtnl.LinkSpec;
import dev.weft.net.MacAddress;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.ovsdb.Condition;
import dev.weft.ovsdb.Op;
import dev.weft.ovsdb.OvsdbException;
import dev.weft.ovsdb.Values;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code loris connect} and {@code loris disconnect}: a veth pair whose container end is created
 * directly inside the container's namespace (with TX checksum offload off, which the userspace
 * datapath needs for UDP and TCP), whose host end becomes an access port of the pod's VLAN on the
 * loris bridge. The port's external_ids hold everything loris knows about the connection.
 */
final class Connector {
    static final String CONTAINER = "loris-container";
    static final String NETNS = "loris-netns";
    static final String NETNS_ID = "loris-netns-id";
    static final String PID = "loris-pid";
    static final String IFNAME = "loris-ifname";
    static final String POD = "loris-pod";
    static final String MAC = "loris-mac";
    static final String IP = "loris-ip";
    static final String DHCP = "loris-dhcp";
    /** Leaves room for VXLAN (50 bytes) or GRE (38) and the pod's VLAN tag (4) in a 1500-byte underlay. */
    static final int MTU = 1400;
    /** The global pod's VLAN; pods 1..4093 use their own number. */
    static final int GLOBAL_TAG = 4094;

    private final Ovs ovs;
    private final String dbUrl;
    private final Netns hostNs;

    Connector(Ovs ovs, String dbUrl) {
        this(ovs, dbUrl, null);
    }

    /** {@code hostNs}: the namespace Open vSwitch runs in (null: this process's). */
    Connector(Ovs ovs, String dbUrl, Netns hostNs) {
        this.ovs = ovs;
        this.dbUrl = dbUrl;
        this.hostNs = hostNs;
    }

    private Rtnetlink hostRtnetlink() {
        return hostNs == null ? Rtnetlink.open() : Rtnetlink.open(hostNs);
    }

    private void deleteLink(String name) {
        try (Rtnetlink host = hostRtnetlink()) {
            host.links().deleteIfExists(name);
        }
    }

    /** What to connect: address null means DHCP; pod 0 the global pod; ifname and mac may be null (chosen). */
    record Request(Container container, IpPrefix address, int pod, String ifname, MacAddress mac) {
    }

    static String podName(int pod) {
        return pod == 0 ? "global" : Integer.toString(pod);
    }

    static int tag(int pod) {
        return pod == 0 ? GLOBAL_TAG : pod;
    }

    /** Connects and returns the port's external_ids as recorded. */
    Map<String, String> connect(Request req) {
        Ovs.Bridge bridge = requireBridge();
        sweep(bridge);
        Container c = req.container();
        MacAddress mac = req.mac() != null ? req.mac()
                : req.address() != null && req.address().address() instanceof Inet4Address v4 ? derivedMac(v4) : MacAddress.random();
        String pod = podName(req.pod());
        for (Ovs.Port p : ovs.ports(bridge)) {
            if (pod.equals(p.id(POD)) && mac.toString().equals(p.id(MAC))) {
                throw duplicate(mac, pod, p);
            }
        }
        Map<String, String> ids = new LinkedHashMap<>();
        ids.put(CONTAINER, c.reference());
        ids.put(PID, Long.toString(c.pid()));
        ids.put(DHCP, Boolean.toString(req.address() == null));
        if (req.address() != null) {
            ids.put(IP, req.address().toString());
        }
        try (Netns ns = Netns.open(c.netns())) {
            String portName = plumb(bridge, ns, req.ifname(), req.address(), mac, req.pod(), ids);
            if (req.address() == null) {
                try {
                    ids.putAll(startDhcp(c, ids.get(IFNAME), portName));
                } catch (RuntimeException e) {
                    removePortNamed(portName);
                    deleteLink(portName);
                    throw e;
                }
            }
            return ids;
        }
    }

    /**
     * Makes the veth (its container end, {@code ifname} or the next free ethN, directly inside
     * {@code ns}; TX checksum offload off; {@code address} if given; up) and its access port of
     * {@code pod}'s VLAN, recording {@code ids} plus the namespace, interface, pod and MAC on the
     * port. Returns the port's name; on failure nothing is left.
     */
    String plumb(Ovs.Bridge bridge, Netns ns, String ifname, IpPrefix address, MacAddress mac, int pod, Map<String, String> ids) {
        try (Rtnetlink host = hostRtnetlink(); Rtnetlink inside = Rtnetlink.open(ns)) {
            String name = ifname != null ? ifname : nextFree(inside);
            if (inside.links().find(name).isPresent()) {
                throw new LorisException("container " + ids.get(CONTAINER) + " already has an interface " + name);
            }
            String netnsId = Container.netnsId(ns.path(), ids.get(CONTAINER));
            String portName = "lv" + HexFormat.of().toHexDigits((netnsId + "/" + name).hashCode());
            ids.put(NETNS, ns.path().toString());
            ids.put(NETNS_ID, netnsId);
            ids.put(IFNAME, name);
            ids.put(POD, podName(pod));
            ids.put(MAC, mac.toString());
            try {
                host.links().create(new LinkSpec.Veth(portName, name, ns, MTU, null, mac));
            } catch (KernelException e) {
                throw new LorisException("cannot create the interface: " + e.getMessage(), e);
            }
            try {
                host.links().setUp(portName);
                Ethtool.setTxChecksum(ns, name, false);
                if (address != null) {
                    inside.addresses().add(name, address);
                }
                inside.links().setUp(name);
                addPort(bridge, portName, pod, mac, ids);
                return portName;
            } catch (RuntimeException e) {
                host.links().deleteIfExists(portName);
                throw e instanceof KernelException k ? new LorisException("cannot connect " + ids.get(CONTAINER) + ": " + k.getMessage(), k) : e;
            }
        }
    }

    private void addPort(Ovs.Bridge bridge, String portName, int pod, MacAddress mac, Map<String, String> ids) {
        List<Op> ops = new ArrayList<>();
        // the duplicate check again, inside the transaction, so two connects at once cannot both pass it
        ops.add(new Op.Wait("Port", List.of(new Condition("external_ids", "includes",
                Values.map(Map.of(POD, podName(pod), MAC, mac.toString())))), List.of("name"), true, List.of(), 0));
        ops.addAll(ovs.addPort(Values.uuid(bridge.uuid()), new Ovs.PortSpec(portName, "", Map.of(), tag(pod), false, ids)));
        try {
            ovs.client().transact(Ovs.DB, ops);
        } catch (OvsdbException.TransactionFailed e) {
            if (e.operation() == 0) {
                throw new LorisException("MAC address " + mac + " is already used in pod " + podName(pod)
                        + " on this host; give another with --mac");
            }
            throw new LorisException(e.getMessage(), e);
        } catch (OvsdbException e) {
            throw new LorisException(e.getMessage(), e);
        }
    }

    private Map<String, String> startDhcp(Container c, String ifname, String portName) {
        long pid = Dhcp.start(dbUrl, c, ifname, portName);
        Ovs.Port port = port(portName);
        ovs.transact(List.copyOf(Ovs.setPortIds(port, Map.of(Dhcp.PID, Long.toString(pid)))));
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            Map<String, String> ids = port(portName).ids();
            if (ids.containsKey(IP)) {
                return ids;
            }
            if (!Dhcp.running(Long.toString(pid))) {
                break;
            }
            HostSetup.sleepMs(100);
        }
        Dhcp.stop(Long.toString(pid));
        throw new LorisException("no DHCP server answered on pod " + port.id(POD) + " for " + c.reference()
                + " (see " + Dhcp.runDir(dbUrl).resolve(portName + ".log") + ")");
    }

    /** Disconnects one interface of the container (or all of them); returns the port names removed. */
    List<String> disconnect(Container c, String ifname) {
        Ovs.Bridge bridge = requireBridge();
        String id = c.netnsId();
        List<Ovs.Port> ports = ovs.ports(bridge).stream()
                .filter(p -> id.equals(p.id(NETNS_ID)) && (ifname == null || ifname.equals(p.id(IFNAME)))).toList();
        if (ports.isEmpty()) {
            throw new LorisException("container " + c.reference() + " has no loris interface" + (ifname == null ? "" : " " + ifname));
        }
        for (Ovs.Port p : ports) {
            remove(bridge, p);
        }
        return ports.stream().map(Ovs.Port::name).toList();
    }

    /** Removes every container port (cleanup). */
    List<String> disconnectAll() {
        return ovs.bridge(Ovs.BRIDGE).map(b -> ovs.ports(b).stream().filter(p -> p.id(NETNS_ID) != null)
                .peek(p -> remove(b, p)).map(Ovs.Port::name).toList()).orElse(List.of());
    }

    /** Forgets ports whose container is gone (its namespace took the veth with it). */
    void sweep(Ovs.Bridge bridge) {
        try (Rtnetlink host = hostRtnetlink()) {
            for (Ovs.Port p : ovs.ports(bridge)) {
                if (p.id(NETNS_ID) != null && host.links().find(p.name()).isEmpty()) {
                    remove(bridge, p);
                }
            }
        }
    }

    void remove(Ovs.Bridge bridge, Ovs.Port p) {
        Dhcp.stop(p.id(Dhcp.PID));
        ovs.transact(List.of(Ovs.removePort(bridge, p)));
        deleteLink(p.name());
    }

    private void removePortNamed(String name) {
        ovs.bridge(Ovs.BRIDGE).ifPresent(b -> ovs.ports(b).stream().filter(p -> p.name().equals(name)).findFirst()
                .ifPresent(p -> ovs.transact(List.of(Ovs.removePort(b, p)))));
    }

    private Ovs.Port port(String name) {
        return ovs.ports(requireBridge()).stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new LorisException("port " + name + " vanished from " + Ovs.BRIDGE));
    }

    Ovs.Bridge requireBridge() {
        return ovs.bridge(Ovs.BRIDGE).orElseThrow(() -> new LorisException("bridge " + Ovs.BRIDGE + " does not exist: run loris init first"));
    }

    private static LorisException duplicate(MacAddress mac, String pod, Ovs.Port p) {
        return new LorisException("MAC address " + mac + " is already used in pod " + pod + " by " + p.id(CONTAINER)
                + " (" + p.id(IFNAME) + "); give another with --mac");
    }

    /** eth1, eth2, ...: the first not taken in the container. */
    private static String nextFree(Rtnetlink inside) {
        for (int i = 1; ; i++) {
            if (inside.links().find("eth" + i).isEmpty()) {
                return "eth" + i;
            }
        }
    }

    /** 0a:58 and the four address bytes (locally administered), as CNI's bridge plugin does. */
    static MacAddress derivedMac(Inet4Address ip) {
        byte[] a = ip.getAddress();
        return new MacAddress(new byte[] {0x0a, 0x58, a[0], a[1], a[2], a[3]});
    }
}
