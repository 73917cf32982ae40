package dev.weft.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.linux.nft.NftBatch;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import static dev.weft.linux.nft.Nft.dnat;
import static dev.weft.linux.nft.Nft.jump;
import static dev.weft.linux.nft.Nft.mapLookup;
import static dev.weft.linux.nft.Nft.mapping;
import static dev.weft.linux.nft.Nft.meta;
import static dev.weft.linux.nft.Nft.numgenInc;
import static dev.weft.linux.nft.Nft.payload;
import static dev.weft.linux.nft.Nft.setMeta;
import static dev.weft.linux.nft.Nft.value;
import static dev.weft.linux.nft.Nft.vmapLookup;

/**
 * The service virtual IPs one sandbox can reach, as the nftables table {@code ip weft-vip} in the
 * sandbox's own namespace (Docker balances with IPVS in the sandbox too): new connections the
 * sandbox opens to a virtual IP are DNATed, in the nat output hook, to one of its backends before
 * the route lookup, so no address answers for the virtual IP on any link and no masquerade is
 * needed, on one host or across hosts.
 * <pre>
 *   output (nat):  ip daddr vmap @vips              virtual IP : jump v_ID
 *   v_ID:          meta mark set numgen inc mod N  dnat to meta mark map @b_ID
 *   b_ID:          slot (0 .. N-1) : backend address
 * </pre>
 * Slots stay dense: a backend added takes slot N, a backend removed gives its slot to the last
 * one. So adding or removing a backend is one or three element changes and a rewrite of the one
 * rule of {@code v_ID}, whatever N is. The mark is set on a connection's first packet only (nat
 * chains see no other), inside the sandbox; it does not leave the namespace.
 */
final class VipTable {
    static final String FAMILY = "ip";
    static final String TABLE = "weft-vip";
    private static final String OUTPUT = "output";
    private static final String VIPS = "vips";

    /** One virtual IP as installed: its endpoint's id and network, its address, its backends by slot. */
    record Vip(String id, String networkId, String address, List<String> backends) {
        Vip {
            backends = List.copyOf(backends);
        }

        String chain() {
            return "v_" + id.substring(0, 12);
        }

        String map() {
            return "b_" + id.substring(0, 12);
        }
    }

    private VipTable() {
    }

    /** The whole table for {@code vips}, replacing whatever the namespace has. */
    static NftBatch rewrite(Collection<Vip> vips) {
        NftBatch b = new NftBatch().replaceTable(FAMILY, TABLE)
                .addMap(FAMILY, TABLE, VIPS, List.of("ipv4_addr"), "verdict", List.of())
                .addChain(FAMILY, TABLE, OUTPUT, NftBatch.Hook.nat("output", -100))
                .addRule(FAMILY, TABLE, OUTPUT, List.of(vmapLookup(payload("ip", "daddr"), VIPS)), "service virtual IPs");
        vips.forEach(v -> add(b, v));
        return b;
    }

    /** Adds a virtual IP with its backends to an existing table. */
    static void add(NftBatch b, Vip v) {
        b.addMap(FAMILY, TABLE, v.map(), List.of("mark"), "ipv4_addr", List.of()).addChain(FAMILY, TABLE, v.chain());
        List<JsonNode> slots = new ArrayList<>();
        for (int i = 0; i < v.backends().size(); i++) {
            slots.add(mapping(value(i), value(v.backends().get(i))));
        }
        if (!slots.isEmpty()) {
            b.addElements(FAMILY, TABLE, v.map(), slots);
            b.addRule(FAMILY, TABLE, v.chain(), balance(v), null);
        }
        b.addElements(FAMILY, TABLE, VIPS, List.of(mapping(value(v.address()), jump(v.chain()))));
    }

    /** Removes a virtual IP from the table. */
    static void remove(NftBatch b, Vip v) {
        b.deleteElements(FAMILY, TABLE, VIPS, List.of(value(v.address())))
                .flushChain(FAMILY, TABLE, v.chain()).deleteChain(FAMILY, TABLE, v.chain())
                .deleteMap(FAMILY, TABLE, v.map());
    }

    /**
     * Changes {@code have}'s backends to {@code want}: each one gone gives its slot to the last
     * one, each one new takes the next slot, and the rule's modulus follows the count. Returns the
     * virtual IP as it is afterwards.
     */
    static Vip change(NftBatch b, Vip have, Collection<String> want) {
        List<String> slots = new ArrayList<>(have.backends());
        for (String gone : have.backends()) {
            if (want.contains(gone)) {
                continue;
            }
            int i = slots.indexOf(gone);
            int last = slots.size() - 1;
            if (i != last) {
                b.deleteElements(FAMILY, TABLE, have.map(), List.of(value(i)));
                b.addElements(FAMILY, TABLE, have.map(), List.of(mapping(value(i), value(slots.get(last)))));
                slots.set(i, slots.get(last));
            }
            b.deleteElements(FAMILY, TABLE, have.map(), List.of(value(last)));
            slots.remove(last);
        }
        for (String added : want) {
            if (!slots.contains(added)) {
                b.addElements(FAMILY, TABLE, have.map(), List.of(mapping(value(slots.size()), value(added))));
                slots.add(added);
            }
        }
        Vip now = new Vip(have.id(), have.networkId(), have.address(), slots);
        if (slots.size() != have.backends().size()) {
            b.flushChain(FAMILY, TABLE, have.chain());
            if (!slots.isEmpty()) {
                b.addRule(FAMILY, TABLE, have.chain(), balance(now), null);
            }
        }
        return now;
    }

    /** meta mark set numgen inc mod N dnat to meta mark map @b_ID */
    private static List<JsonNode> balance(Vip v) {
        return List.of(setMeta("mark", numgenInc(v.backends().size())), dnat(null, mapLookup(meta("mark"), v.map()), null));
    }
}
