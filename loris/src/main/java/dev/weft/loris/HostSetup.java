package dev.weft.loris;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.linux.KernelException;
import dev.weft.linux.arp.Arp;
import dev.weft.linux.rtnl.Address;
import dev.weft.net.IpPrefix;
import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.Route;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.ovsdb.Mutation;
import dev.weft.ovsdb.Op;
import dev.weft.ovsdb.Values;

import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code loris init} and the host half of {@code loris cleanup}: the bridges, and with the userspace
 * datapath the underlay bridge that takes the host's underlay interface, whose internal port then
 * carries the host's addresses (Open vSwitch's userspace tunnelling needs them there). What was moved
 * is recorded in the database first, so cleanup (or a re-run after a crash) knows what to put back.
 */
final class HostSetup {
    static final String DATAPATH = "loris-datapath";
    static final String UNDERLAY = "loris-underlay";
    static final String ADDRESSES = "loris-addresses";
    static final String ROUTES = "loris-routes";
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final Ovs ovs;

    HostSetup(Ovs ovs) {
        this.ovs = ovs;
    }

    /** Whether this kernel has Open vSwitch's datapath module (else the userspace "netdev" datapath is used). */
    static String defaultDatapath() {
        return Files.exists(Path.of("/sys/module/openvswitch")) ? "system" : "netdev";
    }

    /** Creates what is missing; returns what was done, one line per step. */
    List<String> init(String underlayOption, String datapathOption) {
        Map<String, String> ids = ovs.rootIds();
        String datapath = datapathOption != null ? datapathOption : ids.getOrDefault(DATAPATH, defaultDatapath());
        if (!datapath.equals("netdev") && !datapath.equals("system")) {
            throw new LorisException("unknown datapath \"" + datapath + "\": expected netdev or system");
        }
        if (ids.containsKey(DATAPATH) && !ids.get(DATAPATH).equals(datapath)) {
            throw new LorisException("this host was initialised with the " + ids.get(DATAPATH) + " datapath; run loris cleanup first");
        }
        List<String> done = new ArrayList<>();
        List<Op> ops = new ArrayList<>();
        Map<String, String> root = new LinkedHashMap<>();
        root.put(DATAPATH, datapath);
        if (ovs.bridge(Ovs.BRIDGE).isEmpty()) {
            ops.addAll(newBridge(Ovs.BRIDGE, datapath, "int", null));
            done.add("created bridge " + Ovs.BRIDGE + " (datapath " + datapath + ")");
        }
        String underlay = null;
        if (datapath.equals("netdev")) {
            underlay = underlay(underlayOption, ids);
            if (ovs.bridge(Ovs.UNDERLAY_BRIDGE).isEmpty()) {
                ops.addAll(newBridge(Ovs.UNDERLAY_BRIDGE, datapath, "underlay", underlay));
                done.add("created bridge " + Ovs.UNDERLAY_BRIDGE + " holding " + underlay);
            }
            root.put(UNDERLAY, underlay);
            if (!ids.containsKey(ADDRESSES)) {
                root.putAll(recordUnderlay(underlay));
            }
        }
        ops.addAll(Ovs.setRootIds(root));
        ovs.transact(ops);
        if (underlay != null) {
            Map<String, String> now = ovs.rootIds();
            done.addAll(moveAddresses(underlay, Ovs.UNDERLAY_BRIDGE, split(now.get(ADDRESSES)), split(now.get(ROUTES)), true));
        }
        return done;
    }

    /** Puts the host's addresses back on the underlay and removes both bridges and loris's root keys. */
    List<String> cleanup() {
        Map<String, String> ids = ovs.rootIds();
        List<String> done = new ArrayList<>();
        String underlay = ids.get(UNDERLAY);
        if (underlay != null && ids.containsKey(ADDRESSES)) {
            done.addAll(moveAddresses(Ovs.UNDERLAY_BRIDGE, underlay, split(ids.get(ADDRESSES)), split(ids.get(ROUTES)), false));
        }
        List<Op> ops = new ArrayList<>();
        for (String name : List.of(Ovs.BRIDGE, Ovs.UNDERLAY_BRIDGE)) {
            Optional<Ovs.Bridge> b = ovs.bridge(name);
            if (b.isPresent()) {
                ops.add(new Op.Mutate("Open_vSwitch", List.of(), List.of(Mutation.delete("bridges", Values.uuid(b.get().uuid())))));
                done.add("removed bridge " + name);
            }
        }
        Map<String, String> clear = new LinkedHashMap<>();
        for (String k : List.of(DATAPATH, UNDERLAY, ADDRESSES, ROUTES, Cluster.TUNNEL)) {
            clear.put(k, null);
        }
        ops.addAll(Ovs.setRootIds(clear));
        ovs.transact(ops);
        if (underlay != null) {
            announce(underlay, split(ids.get(ADDRESSES)));
        }
        return done;
    }

    private List<Op> newBridge(String name, String datapath, String role, String physical) {
        String bridge = ovs.newName("b");
        List<Op> ops = new ArrayList<>(ovs.addPort(null, new Ovs.PortSpec(name, "internal", Map.of(), 0, false, Map.of())));
        String internalPort = ((Op.Insert) ops.get(1)).uuidName();
        List<com.fasterxml.jackson.databind.JsonNode> ports = new ArrayList<>(List.of(Values.namedUuid(internalPort)));
        if (physical != null) {
            List<Op> phys = ovs.addPort(null, new Ovs.PortSpec(physical, "", Map.of(), 0, false, Map.of()));
            ops.addAll(phys);
            ports.add(Values.namedUuid(((Op.Insert) phys.get(1)).uuidName()));
        }
        ObjectNode row = F.objectNode().put("name", name).put("datapath_type", datapath);
        row.set("ports", Values.set(ports));
        row.set("external_ids", Values.map(Map.of("loris-role", role)));
        row.set("other_config", Values.map(Map.of("disable-in-band", "true")));
        ops.add(new Op.Insert("Bridge", row, bridge));
        ops.add(new Op.Mutate("Open_vSwitch", List.of(), List.of(Mutation.insert("bridges", Values.namedUuid(bridge)))));
        return ops;
    }

    private static String underlay(String option, Map<String, String> ids) {
        String recorded = ids.get(UNDERLAY);
        if (option != null && recorded != null && !option.equals(recorded)) {
            throw new LorisException("this host was initialised with underlay " + recorded + "; run loris cleanup first");
        }
        String name = option != null ? option : recorded;
        try (Rtnetlink nl = Rtnetlink.open()) {
            if (name == null) {
                name = detectUnderlay(nl);
            }
            if (nl.links().find(name).isEmpty()) {
                throw new LorisException("no interface \"" + name + "\" on this host");
            }
        }
        return name;
    }

    /** The interface of the default route, else the only interface with a global IPv4 address. */
    private static String detectUnderlay(Rtnetlink nl) {
        for (Route r : nl.routes().list()) {
            if (r.isDefault() && r.outIndex() != 0 && r.destination().isIpv4()) {
                return nl.links().get(r.outIndex()).name();
            }
        }
        List<String> candidates = nl.addresses().list().stream()
                .filter(a -> a.scope() == 0 && a.prefix().isIpv4())
                .map(a -> nl.links().get(a.linkIndex()).name())
                .filter(n -> !n.equals("lo") && !n.startsWith("loris")).distinct().toList();
        if (candidates.size() != 1) {
            throw new LorisException("cannot tell which interface is the underlay (" + (candidates.isEmpty() ? "none has an IPv4 address"
                    : "candidates: " + String.join(", ", candidates)) + "); name it with --underlay");
        }
        return candidates.getFirst();
    }

    /** The underlay's global addresses and its routes via a gateway, as root keys. */
    private static Map<String, String> recordUnderlay(String underlay) {
        try (Rtnetlink nl = Rtnetlink.open()) {
            Link link = nl.links().get(underlay);
            List<String> addresses = nl.addresses().list(underlay).stream().filter(a -> a.scope() == 0)
                    .map(a -> a.prefix().toString()).toList();
            if (addresses.isEmpty()) {
                throw new LorisException("underlay " + underlay + " has no address to carry the tunnels");
            }
            List<String> routes = nl.routes().list().stream()
                    .filter(r -> r.outIndex() == link.index() && r.gateway() != null && r.table() == Route.MAIN_TABLE)
                    .map(r -> r.destination() + " " + IpPrefix.format(r.gateway())).toList();
            return Map.of(ADDRESSES, String.join(",", addresses), ROUTES, String.join(",", routes));
        }
    }

    /** Moves addresses and gateway routes from one interface to the other (waiting for {@code to} to exist). */
    private static List<String> moveAddresses(String from, String to, List<String> addresses, List<String> routes, boolean wait) {
        List<String> done = new ArrayList<>();
        try (Rtnetlink nl = Rtnetlink.open()) {
            Link target = awaitLink(nl, to, wait);
            if (target == null) {
                return done;
            }
            List<IpPrefix> there = nl.addresses().list(to).stream().map(Address::prefix).toList();
            for (String a : addresses) {
                IpPrefix p = IpPrefix.parse(a);
                if (!there.contains(p)) {
                    nl.addresses().add(to, p);
                    done.add("moved " + a + " from " + from + " to " + to);
                }
                if (nl.links().find(from).isPresent()) {
                    deleteAddress(nl, from, p);
                }
            }
            nl.links().setUp(to);
            for (String r : routes) {
                String[] parts = r.split(" ");
                nl.routes().replace(Route.via(IpPrefix.parse(parts[0]), IpPrefix.parseAddress(parts[1])).withDevice(target.index()));
            }
        }
        if (!done.isEmpty()) {
            announce(to, addresses);
        }
        return done;
    }

    private static void deleteAddress(Rtnetlink nl, String link, IpPrefix p) {
        try {
            nl.addresses().delete(link, p);
        } catch (KernelException.NotFound | KernelException.InvalidArgument e) {
            // already gone: the move is idempotent
        }
    }

    private static Link awaitLink(Rtnetlink nl, String name, boolean wait) {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (true) {
            Optional<Link> l = nl.links().find(name);
            if (l.isPresent()) {
                return l.get();
            }
            if (!wait) {
                return null;
            }
            if (System.nanoTime() > deadline) {
                throw new LorisException("ovs-vswitchd did not create " + name + " within 15 s (is ovs-vswitchd running?); "
                        + "the bridges are recorded, run loris init again once it is");
            }
            sleepMs(50);
        }
    }

    /** Gratuitous ARP for each IPv4 address, so peers forget the MAC they cached for it. */
    private static void announce(String link, List<String> addresses) {
        for (String a : addresses) {
            IpPrefix p = IpPrefix.parse(a);
            if (p.address() instanceof Inet4Address v4) {
                try {
                    Arp.announce(null, link, v4, 3);
                } catch (KernelException e) {
                    // the link may be going away with its bridge; an announcement is an optimisation
                }
            }
        }
    }

    static List<String> split(String value) {
        return value == null || value.isBlank() ? List.of() : Arrays.asList(value.split(","));
    }

    static void sleepMs(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LorisException("interrupted");
        }
    }
}
