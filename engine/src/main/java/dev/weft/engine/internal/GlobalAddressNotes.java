package dev.weft.engine.internal;

import dev.weft.engine.state.NetworkState;
import dev.weft.engine.state.NetworkState.SubnetState;
import dev.weft.store.KvEntry;
import dev.weft.store.Store;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Global addresses while their endpoint's record is being written or deleted. An endpoint's
 * addresses are allocated before its record is written and released after it is deleted, so no
 * record ever names a free address. On one host, a crash in between is repaired by the
 * reconciler, which frees local addresses no record holds; a global address it must not free
 * that way, since another host may be between its allocation and its record. So around both
 * steps this host notes, in its local store, the endpoint and its network's pools
 * ({@code global-addresses/ENDPOINT_ID}: the network id, then the pool ids, a line each), and
 * deletes the note when the record is written or the addresses released. A note left by a crash
 * is finished at start: if the endpoint has no record, every address in those pools still held
 * by the endpoint's id is released by a compare-and-delete on that owner, which is safe to
 * repeat whoever holds the address since.
 */
final class GlobalAddressNotes {
    private static final String PREFIX = "global-addresses/";

    private GlobalAddressNotes() {
    }

    /** Notes endpoint {@code endpointId} of {@code n} if its addresses come from weft's global space; the note, or null. */
    static String note(Context c, NetworkState n, String endpointId) {
        if (!c.state().isGlobal(n) || n.ipamDriver() != null || n.subnets().isEmpty()) {
            return null;
        }
        StringBuilder text = new StringBuilder(n.id());
        for (SubnetState s : n.subnets()) {
            text.append('\n').append(s.poolId());
        }
        String key = PREFIX + endpointId;
        c.state().store().put(key, text.toString().getBytes(StandardCharsets.UTF_8));
        return key;
    }

    static void done(Context c, String note) {
        if (note != null) {
            c.state().store().delete(note);
        }
    }

    /** Finishes what crashes interrupted; how many addresses were still held without a record and freed. */
    static int finish(Context c) {
        Store local = c.state().store();
        int freed = 0;
        for (KvEntry e : local.list(PREFIX)) {
            String owner = e.key().substring(PREFIX.length());
            List<String> lines = List.of(e.valueAsString().split("\n"));
            if (c.state().endpoint(lines.getFirst(), owner).isEmpty()) {
                for (String pool : lines.subList(1, lines.size())) {
                    for (Map.Entry<InetAddress, String> held : c.ipams().weft().holders(pool).entrySet()) {
                        if (held.getValue().equals(owner) && c.ipams().weft().releaseAddressOf(pool, held.getKey(), owner)) {
                            freed++;
                        }
                    }
                }
            }
            local.delete(e.key());
        }
        return freed;
    }
}
