package dev.weft.driver.ovs;

import dev.weft.engine.WeftException;
import dev.weft.store.KvEntry;
import dev.weft.store.Store;
import dev.weft.store.VersionConflictException;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;

/**
 * In global scope, a MAC address is unique within a pod across hosts: each ovs endpoint claims
 * {@code ovs-macs/POD/MAC} in the shared store by compare-and-swap before its port is made, and
 * releases it when it leaves. The value names the host and the endpoint ("HOST ENDPOINT-ID"), so a
 * re-join of the same endpoint keeps its claim and a clash says who holds the address. Claims of
 * hosts that are no longer live are dropped: their containers are unreachable until they return.
 */
final class MacClaims {
    static final String PREFIX = "ovs-macs/";
    private final Store store;
    private final String self;

    MacClaims(Store store, String self) {
        this.store = store;
        this.self = self;
    }

    static String key(int pod, String mac) {
        return PREFIX + (pod == 0 ? "global" : Integer.toString(pod)) + "/" + mac;
    }

    /** Claims {@code mac} in {@code pod} for endpoint {@code endpointId}; CONFLICT if another endpoint holds it. */
    void claim(int pod, String mac, String endpointId) {
        String key = key(pod, mac);
        byte[] value = (self + " " + endpointId).getBytes(StandardCharsets.UTF_8);
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                store.putIfVersion(key, value, 0);
                return;
            } catch (VersionConflictException e) {
                Optional<KvEntry> held = store.get(key);
                if (held.isEmpty()) {
                    continue; // released meanwhile: try again
                }
                String[] owner = held.get().valueAsString().split(" ", 2);
                if (owner.length == 2 && owner[1].equals(endpointId)) {
                    return;
                }
                throw WeftException.conflict("MAC address " + mac + " is already used in pod " + (pod == 0 ? "global" : pod)
                        + " by endpoint " + (owner.length == 2 ? owner[1] : "?") + " on host " + owner[0]);
            }
        }
        throw WeftException.conflict("MAC address " + mac + " in pod " + pod + ": the claim kept changing; try again");
    }

    /** Releases the claim if {@code endpointId} holds it. */
    void release(int pod, String mac, String endpointId) {
        store.get(key(pod, mac)).ifPresent(e -> {
            if (e.valueAsString().endsWith(" " + endpointId)) {
                deleteQuietly(e);
            }
        });
    }

    /** Drops the claims of hosts not in {@code live}. */
    void forgetHostsBut(Set<String> live) {
        for (KvEntry e : store.list(PREFIX)) {
            String host = e.valueAsString().split(" ", 2)[0];
            if (!live.contains(host)) {
                deleteQuietly(e);
            }
        }
    }

    /** Drops this host's claims for endpoints not in {@code endpointIds} (a crash between claim and record). */
    void forgetOwnBut(Set<String> endpointIds) {
        for (KvEntry e : store.list(PREFIX)) {
            String[] owner = e.valueAsString().split(" ", 2);
            if (owner[0].equals(self) && (owner.length < 2 || !endpointIds.contains(owner[1]))) {
                deleteQuietly(e);
            }
        }
    }

    private void deleteQuietly(KvEntry e) {
        try {
            store.deleteIfVersion(e.key(), e.version());
        } catch (VersionConflictException changed) {
            // claimed again meanwhile: that claim stands
        }
    }
}
