package dev.weft.engine.driver;

import dev.weft.engine.IpamConfig;
import dev.weft.engine.NetworkConfig;
import dev.weft.engine.WeftException;
import dev.weft.engine.ipam.Subnets;
import dev.weft.linux.rtnl.Address;
import dev.weft.net.IpPrefix;
import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.Route;
import dev.weft.linux.rtnl.Rtnetlink;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Refuses an explicit subnet that would capture part of the host's own network: one that overlaps
 * the subnet of a host interface's address (the host would route those neighbours, its store
 * perhaps, into the new network), contains the gateway of a host route (the host would lose its
 * way out) or overlaps the destination of a host route (what the host reaches through it).
 * {@link #ALLOW} ({@code weft.network.allow_host_subnet=true}) lets it through, for who wants that.
 */
public final class HostSubnets {
    /** The option that allows a subnet overlapping the host's own addresses and gateways. */
    public static final String ALLOW = "weft.network.allow_host_subnet";

    private HostSubnets() {
    }

    /**
     * Checks {@code config}'s explicit subnets against what {@code host} holds; addresses and routes
     * of the links in {@code weftLinks} (weft's own bridges, a user-managed bridge the network will
     * use) do not count: overlaps between weft's networks are IPAM's to refuse.
     */
    public static void check(Rtnetlink host, NetworkConfig config, Set<String> weftLinks) {
        if ("true".equalsIgnoreCase(config.options().getOrDefault(ALLOW, "false"))) {
            return;
        }
        List<IpamConfig> explicit = new ArrayList<>(config.ipv4());
        explicit.addAll(config.ipv6());
        if (explicit.stream().allMatch(c -> c.subnet() == null)) {
            return;
        }
        Map<Integer, String> names = new HashMap<>();
        for (Link l : host.links().list()) {
            names.put(l.index(), l.name());
        }
        List<Address> addresses = host.addresses().list();
        List<Route> routes = host.routes().list();
        for (IpamConfig c : explicit) {
            if (c.subnet() == null) {
                continue;
            }
            IpPrefix subnet = c.subnet();
            for (Address a : addresses) {
                String link = names.getOrDefault(a.linkIndex(), "#" + a.linkIndex());
                if (!weftLinks.contains(link) && Subnets.overlaps(subnet, a.prefix())) {
                    throw refuse(subnet, "overlaps " + Subnets.network(a.prefix()) + " of the host's address " + a.prefix()
                            + " on " + link);
                }
            }
            for (Route r : routes) {
                String link = names.getOrDefault(r.outIndex(), "#" + r.outIndex());
                if (weftLinks.contains(link)) {
                    continue;
                }
                if (r.gateway() != null && Subnets.contains(subnet, r.gateway())) {
                    throw refuse(subnet, "contains the gateway " + IpPrefix.format(r.gateway()) + " of the host's route "
                            + describe(r, link));
                }
                if (!r.isDefault() && r.table() == Route.MAIN_TABLE && Subnets.overlaps(subnet, r.destination())) {
                    throw refuse(subnet, "overlaps the host's route " + describe(r, link));
                }
            }
        }
    }

    private static String describe(Route r, String link) {
        return (r.isDefault() ? "default" : String.valueOf(r.destination()))
                + (r.gateway() != null ? " via " + IpPrefix.format(r.gateway()) : "") + (r.outIndex() != 0 ? " dev " + link : "");
    }

    private static WeftException refuse(IpPrefix subnet, String what) {
        return WeftException.invalid("subnet " + subnet + " " + what + ": the network would capture it and cut the host"
                + " off from it (choose another subnet, or set -o " + ALLOW + "=true to allow it)");
    }
}
