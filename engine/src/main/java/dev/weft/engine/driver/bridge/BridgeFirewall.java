package dev.weft.engine.driver.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.engine.PortBinding;
import dev.weft.linux.netns.Netns;
import dev.weft.linux.nft.NftBatch;
import dev.weft.linux.nft.Nftables;
import dev.weft.net.IpPrefix;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static dev.weft.linux.nft.Nft.accept;
import static dev.weft.linux.nft.Nft.concat;
import static dev.weft.linux.nft.Nft.ct;
import static dev.weft.linux.nft.Nft.dnat;
import static dev.weft.linux.nft.Nft.drop;
import static dev.weft.linux.nft.Nft.fib;
import static dev.weft.linux.nft.Nft.jump;
import static dev.weft.linux.nft.Nft.mapLookup;
import static dev.weft.linux.nft.Nft.mapping;
import static dev.weft.linux.nft.Nft.masquerade;
import static dev.weft.linux.nft.Nft.match;
import static dev.weft.linux.nft.Nft.meta;
import static dev.weft.linux.nft.Nft.payload;
import static dev.weft.linux.nft.Nft.prefix;
import static dev.weft.linux.nft.Nft.set;
import static dev.weft.linux.nft.Nft.value;

/**
 * The bridge driver's nftables table, {@code inet weft}, in the host namespace. Networks change
 * rarely, so a network change rewrites the whole table in one transaction; published ports live
 * in maps, so publishing the 1000th port is one element insert, like the first:
 * <pre>
 *   prerouting/output (nat): fib daddr type local jump publish
 *   publish:     per family, dnat to the map entry for (daddr . proto . port), else for (proto . port)
 *                (maps pub_* for IPv4, pub6_* for IPv6 container addresses)
 *   postrouting: masquerade a subnet (either family) of a nat mode leaving its bridge; masquerade
 *                hairpinned (DNATed) traffic
 *   forward:     established accept; within a bridge accept; internal bridges drop the rest;
 *                direct routing filter (nat, routed): from outside to a subnet only published
 *                container ports (sets direct_v4/v6), routed also ICMP, unless from a trusted interface;
 *                between weft bridges drop (isolation)
 * </pre>
 * Inter-container traffic on one bridge is switched, not routed, so ICC is not in this table:
 * the driver isolates the bridge ports instead.
 */
public final class BridgeFirewall implements AutoCloseable {
    static final String FAMILY = "inet";
    static final String TABLE = "weft";
    /** The names of bridges another weft table owns (the overlay's), isolated from these too. */
    static final List<String> OTHER_DRIVERS_BRIDGES = List.of("wo-*");
    /** The published container ports (address . protocol . port) that direct routing may reach, per family. */
    static final String DIRECT_V4 = "direct_v4";
    static final String DIRECT_V6 = "direct_v6";

    /**
     * What the table needs to know of a network: its gateway mode per family, and the host
     * interfaces its direct routing filter lets through.
     */
    public record Net(String bridge, List<IpPrefix> subnets, boolean masquerade, boolean internal, GatewayMode mode4,
                      GatewayMode mode6, List<String> trustedInterfaces) {
        public Net {
            subnets = List.copyOf(subnets);
            trustedInterfaces = List.copyOf(trustedInterfaces);
        }

        /** A network without a direct routing filter (nat-unprotected, or isolated when internal). */
        public Net(String bridge, List<IpPrefix> subnets, boolean masquerade, boolean internal) {
            this(bridge, subnets, masquerade, internal, GatewayMode.NAT_UNPROTECTED, GatewayMode.NAT_UNPROTECTED, List.of());
        }

        GatewayMode mode(IpPrefix subnet) {
            return subnet.address() instanceof Inet4Address ? mode4 : mode6;
        }
    }

    /**
     * A published port with the container address it leads to; {@code mapped} when the host port
     * leads to it (not in routed mode, where only the container's own port is opened).
     */
    record Published(PortBinding binding, InetAddress container, boolean mapped) {
    }

    private final Nftables nft;
    private final String table;
    private final List<String> otherBridges;

    BridgeFirewall(Netns host) {
        this(host, TABLE, OTHER_DRIVERS_BRIDGES);
    }

    /**
     * The table {@code inet TABLE} in {@code host}: another driver with bridges of its own keeps
     * its networks in a table of its own, and names the other tables' bridges (wildcards such
     * as "wb-*") in {@code otherBridges}, so that networks of different drivers are isolated too.
     */
    public BridgeFirewall(Netns host, String table, List<String> otherBridges) {
        this.table = table;
        this.otherBridges = List.copyOf(otherBridges);
        this.nft = host == null ? Nftables.open(table) : Nftables.open(host, table);
    }

    /** Rewrites the whole table for these networks and published ports, atomically. */
    public void sync(Collection<Net> networks, Collection<Published> ports) {
        if (networks.isEmpty()) {
            nft.deleteTable(FAMILY, table);
            return;
        }
        NftBatch b = new NftBatch().replaceTable(FAMILY, table)
                .addSet(FAMILY, table, "bridges", List.of("ifname"), List.of())
                .addSet(FAMILY, table, DIRECT_V4, List.of("ipv4_addr", "inet_proto", "inet_service"), List.of())
                .addSet(FAMILY, table, DIRECT_V6, List.of("ipv6_addr", "inet_proto", "inet_service"), List.of())
                .addMap(FAMILY, table, "pub_addr", List.of("ipv4_addr", "inet_proto", "inet_service"), "ipv4_addr", List.of())
                .addMap(FAMILY, table, "pub_port", List.of("ipv4_addr", "inet_proto", "inet_service"), "inet_service", List.of())
                .addMap(FAMILY, table, "pub_any_addr", List.of("inet_proto", "inet_service"), "ipv4_addr", List.of())
                .addMap(FAMILY, table, "pub_any_port", List.of("inet_proto", "inet_service"), "inet_service", List.of())
                .addMap(FAMILY, table, "pub6_addr", List.of("ipv6_addr", "inet_proto", "inet_service"), "ipv6_addr", List.of())
                .addMap(FAMILY, table, "pub6_port", List.of("ipv6_addr", "inet_proto", "inet_service"), "inet_service", List.of())
                .addMap(FAMILY, table, "pub6_any_addr", List.of("inet_proto", "inet_service"), "ipv6_addr", List.of())
                .addMap(FAMILY, table, "pub6_any_port", List.of("inet_proto", "inet_service"), "inet_service", List.of())
                .addChain(FAMILY, table, "publish")
                .addChain(FAMILY, table, "prerouting", NftBatch.Hook.nat("prerouting", -100))
                .addChain(FAMILY, table, "output", NftBatch.Hook.nat("output", -100))
                .addChain(FAMILY, table, "postrouting", NftBatch.Hook.nat("postrouting", 100))
                .addChain(FAMILY, table, "forward", NftBatch.Hook.filter("forward", 0, "accept"));
        List<JsonNode> local = List.of(match(fib(new String[] {"daddr"}, "type"), "==", value("local")), jump("publish"));
        b.addRule(FAMILY, table, "prerouting", local, null).addRule(FAMILY, table, "output", local, null);
        JsonNode any = concat(meta("l4proto"), payload("th", "dport"));
        for (String family : List.of("ip", "ip6")) {
            String maps = family.equals("ip") ? "pub_" : "pub6_";
            JsonNode specific = concat(payload(family, "daddr"), meta("l4proto"), payload("th", "dport"));
            JsonNode isFamily = match(meta("nfproto"), "==", value(family.equals("ip") ? "ipv4" : "ipv6"));
            b.addRule(FAMILY, table, "publish", List.of(isFamily, dnat(family, mapLookup(specific, maps + "addr"),
                    mapLookup(specific, maps + "port"))), "ports published on one host address (" + family + ")");
            b.addRule(FAMILY, table, "publish", List.of(isFamily, dnat(family, mapLookup(any, maps + "any_addr"),
                    mapLookup(any, maps + "any_port"))), "ports published on every host address (" + family + ")");
        }
        b.addRule(FAMILY, table, "forward", List.of(match(ct("state"), "in", set("established", "related")), accept()), null);
        List<JsonNode> bridges = new ArrayList<>();
        for (Net n : networks) {
            bridges.add(value(n.bridge()));
            b.addRule(FAMILY, table, "forward", List.of(inIf(n), outIf(n, "=="), accept()), "within " + n.bridge());
            if (n.internal()) {
                b.addRule(FAMILY, table, "forward", List.of(inIf(n), drop()), "internal " + n.bridge());
                b.addRule(FAMILY, table, "forward", List.of(outIf(n, "=="), drop()), "internal " + n.bridge());
            }
            for (IpPrefix s : n.subnets()) {
                if (!n.internal() && n.mode(s).filtersDirectRouting()) {
                    directRoutingFilter(b, n, s);
                }
                JsonNode from = match(payload(s.address() instanceof Inet4Address ? "ip" : "ip6", "saddr"), "==", subnet(s));
                if (n.masquerade() && !n.internal() && n.mode(s).masquerades()) {
                    b.addRule(FAMILY, table, "postrouting", List.of(from, outIf(n, "!="), masquerade()), "masquerade " + s);
                }
                b.addRule(FAMILY, table, "postrouting", List.of(from, outIf(n, "=="),
                        match(ct("status"), "in", value("dnat")), masquerade()), "hairpin " + s);
            }
        }
        b.addElements(FAMILY, table, "bridges", bridges);
        b.addRule(FAMILY, table, "forward", List.of(match(meta("iifname"), "==", value("@bridges")),
                match(meta("oifname"), "==", value("@bridges")), drop()), "isolate weft networks from each other");
        for (String other : otherBridges) {
            b.addRule(FAMILY, table, "forward", List.of(match(meta("iifname"), "==", value("@bridges")),
                    match(meta("oifname"), "==", value(other)), drop()), "isolate from " + other);
            b.addRule(FAMILY, table, "forward", List.of(match(meta("iifname"), "==", value(other)),
                    match(meta("oifname"), "==", value("@bridges")), drop()), "isolate from " + other);
        }
        if (!ports.isEmpty()) {
            elements(b, ports, true);
        }
        nft.apply(b);
    }

    /**
     * Packets for subnet {@code s} that come from outside the host (any interface but the bridge
     * and the trusted ones; the host's own packets do not pass forward): accepted when for a
     * published container port (DNATed ones are too: they carry the container's address and
     * port by now), in routed mode ICMP too, dropped otherwise.
     */
    private void directRoutingFilter(NftBatch b, Net n, IpPrefix s) {
        String family = s.address() instanceof Inet4Address ? "ip" : "ip6";
        List<JsonNode> fromOutside = new ArrayList<>(List.of(outIf(n, "=="), inIf(n, "!=")));
        n.trustedInterfaces().forEach(i -> fromOutside.add(match(meta("iifname"), "!=", value(i))));
        fromOutside.add(match(payload(family, "daddr"), "==", subnet(s)));
        JsonNode port = concat(payload(family, "daddr"), meta("l4proto"), payload("th", "dport"));
        b.addRule(FAMILY, table, "forward", with(fromOutside, match(port, "==", value("@" + direct(family))), accept()),
                "published ports on " + s);
        if (n.mode(s) == GatewayMode.ROUTED) {
            b.addRule(FAMILY, table, "forward", with(fromOutside,
                    match(meta("l4proto"), "==", value(family.equals("ip") ? "icmp" : "ipv6-icmp")), accept()), "routed " + s);
        }
        b.addRule(FAMILY, table, "forward", with(fromOutside, drop()), "direct routing to " + s);
    }

    private static List<JsonNode> with(List<JsonNode> matches, JsonNode... more) {
        List<JsonNode> out = new ArrayList<>(matches);
        out.addAll(List.of(more));
        return out;
    }

    private static JsonNode subnet(IpPrefix s) {
        return prefix(IpPrefix.format(s.address()), s.length());
    }

    private static String direct(String family) {
        return family.equals("ip") ? DIRECT_V4 : DIRECT_V6;
    }

    private static JsonNode inIf(Net n) {
        return inIf(n, "==");
    }

    private static JsonNode inIf(Net n, String op) {
        return match(meta("iifname"), op, value(n.bridge()));
    }

    private static JsonNode outIf(Net n, String op) {
        return match(meta("oifname"), op, value(n.bridge()));
    }

    /** Adds published ports to the maps. */
    void publish(Collection<Published> ports) {
        if (!ports.isEmpty()) {
            NftBatch b = new NftBatch();
            elements(b, ports, true);
            nft.apply(b);
        }
    }

    /** Removes published ports from the maps. */
    void unpublish(Collection<Published> ports) {
        if (!ports.isEmpty()) {
            NftBatch b = new NftBatch();
            elements(b, ports, false);
            nft.apply(b);
        }
    }

    private void elements(NftBatch b, Collection<Published> ports, boolean add) {
        List<List<JsonNode>> addrs = perFamily(); // [IPv4 elements, IPv6 elements]
        List<List<JsonNode>> targetPorts = perFamily();
        List<List<JsonNode>> anyAddrs = perFamily();
        List<List<JsonNode>> anyPorts = perFamily();
        Set<JsonNode> direct4 = new LinkedHashSet<>(); // two host ports may lead to one container port
        Set<JsonNode> direct6 = new LinkedHashSet<>();
        for (Published p : ports) {
            PortBinding pb = p.binding();
            (p.container() instanceof Inet4Address ? direct4 : direct6).add(concat(value(IpPrefix.format(p.container())),
                    value(pb.protocol()), value(pb.containerPort())));
            if (!p.mapped()) {
                continue;
            }
            JsonNode key = pb.hostIp() == null ? concat(value(pb.protocol()), value(pb.hostPort()))
                    : concat(value(IpPrefix.format(pb.hostIp())), value(pb.protocol()), value(pb.hostPort()));
            JsonNode addr = add ? mapping(key, value(IpPrefix.format(p.container()))) : key;
            JsonNode port = add ? mapping(key, value(pb.containerPort())) : key;
            int family = p.container() instanceof Inet4Address ? 0 : 1;
            (pb.hostIp() == null ? anyAddrs : addrs).get(family).add(addr);
            (pb.hostIp() == null ? anyPorts : targetPorts).get(family).add(port);
        }
        for (int family = 0; family < 2; family++) {
            String maps = family == 0 ? "pub_" : "pub6_";
            apply(b, add, maps + "addr", addrs.get(family));
            apply(b, add, maps + "port", targetPorts.get(family));
            apply(b, add, maps + "any_addr", anyAddrs.get(family));
            apply(b, add, maps + "any_port", anyPorts.get(family));
        }
        apply(b, add, DIRECT_V4, List.copyOf(direct4));
        apply(b, add, DIRECT_V6, List.copyOf(direct6));
    }

    private static List<List<JsonNode>> perFamily() {
        return List.of(new ArrayList<>(), new ArrayList<>());
    }

    private void apply(NftBatch b, boolean add, String map, List<JsonNode> elements) {
        if (elements.isEmpty()) {
            return;
        }
        if (add) {
            b.addElements(FAMILY, table, map, elements);
        } else {
            b.deleteElements(FAMILY, table, map, elements);
        }
    }

    /**
     * What someone else removed from this firewall's tables since it last wrote them, one line per
     * damaged table; empty when they are intact. (Everything applied through this firewall's
     * nftables context is followed, whichever method added it.)
     */
    public List<String> damage() {
        return nft.damage();
    }

    @Override
    public void close() {
        nft.close();
    }
}
