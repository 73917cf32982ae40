package dev.weft.loris;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code loris status}: bridges, the underlay, tunnels and their state, and connected containers. */
final class Status {
    private Status() {
    }

    static List<String> lines(Ovs ovs) {
        List<String> out = new ArrayList<>();
        Map<String, String> root = ovs.rootIds();
        var bridge = ovs.bridge(Ovs.BRIDGE);
        if (bridge.isEmpty()) {
            out.add("not initialised (run loris init)");
            return out;
        }
        out.add("bridge " + Ovs.BRIDGE + " (datapath " + root.getOrDefault(HostSetup.DATAPATH, bridge.get().datapathType()) + ")");
        if (root.containsKey(HostSetup.UNDERLAY)) {
            out.add("bridge " + Ovs.UNDERLAY_BRIDGE + " (underlay " + root.get(HostSetup.UNDERLAY) + ", addresses "
                    + root.getOrDefault(HostSetup.ADDRESSES, "") + ")");
        }
        Map<String, Ovs.Interface> interfaces = ovs.interfaces();
        List<Ovs.Port> ports = ovs.ports(bridge.get());
        out.add("tunnels (" + root.getOrDefault(Cluster.TUNNEL, "none") + "):");
        for (Ovs.Port p : ports) {
            if (p.id(Cluster.REMOTE) != null) {
                Ovs.Interface i = interfaces.get(p.name());
                out.add("  " + p.name() + " " + (i == null ? "?" : i.type()) + " to " + p.id(Cluster.REMOTE) + " "
                        + state(i));
            }
        }
        out.add("containers:");
        out.add(String.format("  %-24s %-6s %-7s %-20s %-18s %-12s %s", "CONTAINER", "IFACE", "POD", "ADDRESS", "MAC", "PORT", "STATE"));
        for (Ovs.Port p : ports) {
            if (p.id(Connector.NETNS_ID) != null) {
                String addr = p.ids().getOrDefault(Connector.IP, "-");
                boolean dhcp = "true".equals(p.id(Connector.DHCP));
                String state = state(interfaces.get(p.name()));
                if (dhcp) {
                    state += " dhcp " + (Dhcp.running(p.id(Dhcp.PID)) ? "running" : "stopped") + " lease "
                            + p.ids().getOrDefault(Dhcp.LEASE, "-") + "s from " + p.ids().getOrDefault(Dhcp.SERVER, "-")
                            + " renewals " + p.ids().getOrDefault(Dhcp.RENEWALS, "0");
                }
                out.add(String.format("  %-24s %-6s %-7s %-20s %-18s %-12s %s", p.id(Connector.CONTAINER), p.id(Connector.IFNAME),
                        p.id(Connector.POD), addr, p.id(Connector.MAC), p.name(), state));
            }
        }
        return out;
    }

    private static String state(Ovs.Interface i) {
        if (i == null) {
            return "missing";
        }
        if (i.error() != null) {
            return "error: " + i.error();
        }
        return i.linkState() == null ? "pending" : i.linkState();
    }
}
