package dev.weft.engine.driver.overlay;

import dev.weft.engine.WeftException;
import dev.weft.store.KvEntry;
import dev.weft.store.Store;
import dev.weft.store.VersionConflictException;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * VXLAN network identifiers, handed out through the global store so that two hosts never give
 * one VNI to two networks: {@code overlay/vnis/VNI} holds the network id (created only if
 * absent, the compare-and-swap that decides between hosts racing for it), and
 * {@code overlay/networks/ID} holds the VNI, for every host to look up.
 */
public final class Vnis {
    private static final String VNIS = "overlay/vnis/";
    private static final String NETWORKS = "overlay/networks/";
    static final int FIRST = 4096;
    static final int LAST = 0xffffff;
    private final Store store;

    Vnis(Store store) {
        this.store = store;
    }

    /** The network's VNI, allocating the lowest free one from {@link #FIRST} if it has none. */
    int allocate(String networkId) {
        Optional<Integer> existing = find(networkId);
        if (existing.isPresent()) {
            return existing.get();
        }
        int vni = FIRST + store.list(VNIS).size(); // a good first guess; taken ones are skipped
        for (int tries = 0; tries <= LAST - FIRST; tries++, vni = vni >= LAST ? FIRST : vni + 1) {
            try {
                store.putIfVersion(VNIS + vni, utf8(networkId), 0);
            } catch (VersionConflictException taken) {
                continue;
            }
            store.put(NETWORKS + networkId, utf8(Integer.toString(vni)));
            return vni;
        }
        throw new WeftException(WeftException.Kind.UNAVAILABLE, "no VXLAN id is free");
    }

    Optional<Integer> find(String networkId) {
        return store.get(NETWORKS + networkId).map(e -> Integer.parseInt(e.valueAsString()));
    }

    /** Frees the network's VNI; a VNI that meanwhile belongs to another network is left alone. */
    void release(String networkId) {
        Optional<Integer> vni = find(networkId);
        if (vni.isEmpty()) {
            return;
        }
        Optional<KvEntry> owner = store.get(VNIS + vni.get());
        if (owner.isPresent() && owner.get().valueAsString().equals(networkId)) {
            try {
                store.deleteIfVersion(owner.get().key(), owner.get().version());
            } catch (VersionConflictException changed) {
                // given to another network in between: not ours to free
            }
        }
        store.delete(NETWORKS + networkId);
    }

    /** Every VNI handed out, read from {@code store} now: each entry's value is its network's id. */
    public static List<KvEntry> list(Store store) {
        return store.list(VNIS);
    }

    /**
     * Frees a VNI whose network has no record, only if its key is still as {@code vni} was read
     * (else VersionConflictException: it changed hands or is gone), then the network's lookup key
     * if it still names this VNI.
     */
    public static void releaseOrphan(Store store, KvEntry vni) {
        store.deleteIfVersion(vni.key(), vni.version());
        String number = vni.key().substring(VNIS.length());
        String lookup = NETWORKS + vni.valueAsString();
        Optional<KvEntry> entry = store.get(lookup);
        if (entry.isPresent() && entry.get().valueAsString().equals(number)) {
            try {
                store.deleteIfVersion(lookup, entry.get().version());
            } catch (VersionConflictException changed) {
                // rewritten meanwhile: not this orphan's any more
            }
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
