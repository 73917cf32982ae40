package dev.weft.loris;

import dev.weft.net.IpPrefix;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.ovsdb.Op;
import dev.weft.ovsdb.Values;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code loris cluster}: one tunnel port per remote host on the loris bridge, made to match the list
 * given (ports for hosts no longer listed, or of the other tunnel type, go; missing ones come), in
 * one transaction. Tunnel ports are trunks (they carry every pod's VLAN tag) and protected: Open
 * vSwitch never forwards between two protected ports, which is the split horizon that lets a full
 * mesh run without the Spanning Tree Protocol.
 */
final class Cluster {
    static final String TUNNEL = "loris-tunnel";
    static final String REMOTE = "loris-remote";

    private final Ovs ovs;

    Cluster(Ovs ovs) {
        this.ovs = ovs;
    }

    static List<InetAddress> parseRemotes(List<String> args) {
        List<InetAddress> out = new ArrayList<>();
        for (String a : args) {
            try {
                if (a.isEmpty() || !(a.indexOf(':') >= 0 || a.chars().allMatch(c -> c == '.' || Character.isDigit(c)))) {
                    throw new IllegalArgumentException();
                }
                out.add(IpPrefix.parseAddress(a));
            } catch (RuntimeException e) {
                throw new LorisException("bad remote host address \"" + a + "\": expected an IPv4 or IPv6 address");
            }
        }
        return out;
    }

    List<String> reconcile(List<InetAddress> remotes, String type) {
        if (!type.equals("vxlan") && !type.equals("gre")) {
            throw new LorisException("unknown tunnel type \"" + type + "\": expected vxlan or gre");
        }
        Ovs.Bridge bridge = ovs.bridge(Ovs.BRIDGE)
                .orElseThrow(() -> new LorisException("bridge " + Ovs.BRIDGE + " does not exist: run loris init first"));
        Set<String> own = ownAddresses();
        Set<String> wanted = new LinkedHashSet<>();
        for (InetAddress r : remotes) {
            String ip = IpPrefix.format(r);
            if (!own.contains(ip)) {
                wanted.add(ip);
            }
        }
        Map<String, Ovs.Interface> interfaces = ovs.interfaces();
        List<Op> ops = new ArrayList<>();
        List<String> done = new ArrayList<>();
        Set<String> kept = new LinkedHashSet<>();
        for (Ovs.Port p : ovs.ports(bridge)) {
            String remote = p.id(REMOTE);
            if (remote == null) {
                continue;
            }
            Ovs.Interface i = interfaces.get(p.name());
            if (wanted.contains(remote) && i != null && i.type().equals(type)) {
                kept.add(remote);
            } else {
                ops.add(Ovs.removePort(bridge, p));
                done.add("removed " + (i == null ? "" : i.type() + " ") + "tunnel " + p.name() + " to " + remote);
            }
        }
        for (String remote : wanted) {
            if (!kept.contains(remote)) {
                String name = portName(type, remote);
                ops.addAll(ovs.addPort(Values.uuid(bridge.uuid()), new Ovs.PortSpec(name, type, Map.of("remote_ip", remote),
                        0, true, Map.of(REMOTE, remote))));
                done.add("added " + type + " tunnel " + name + " to " + remote);
            }
        }
        ops.addAll(Ovs.setRootIds(Map.of(TUNNEL, type)));
        ovs.transact(ops);
        return done;
    }

    /** "lx" (VXLAN) or "lg" (GRE) and the address in hex (IPv4) or a hash (IPv6), within IFNAMSIZ. */
    static String portName(String type, String remote) {
        byte[] b = IpPrefix.parseAddress(remote).getAddress();
        String hex = b.length == 4 ? HexFormat.of().formatHex(b) : String.format("%08x", java.util.Arrays.hashCode(b));
        return (type.equals("gre") ? "lg" : "lx") + hex;
    }

    private static Set<String> ownAddresses() {
        Set<String> out = new LinkedHashSet<>();
        try (Rtnetlink nl = Rtnetlink.open()) {
            nl.addresses().list().forEach(a -> out.add(IpPrefix.format(a.prefix().address())));
        }
        return out;
    }
}
