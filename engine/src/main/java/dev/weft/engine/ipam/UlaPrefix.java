package dev.weft.engine.ipam;

import dev.weft.net.IpPrefix;
import dev.weft.store.Store;
import dev.weft.store.VersionConflictException;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

/**
 * Where automatic IPv6 subnets come from, as in Docker 27+: a unique local /48 (fd00::/8 with a
 * random 40-bit global ID, RFC 4193 section 3.2) per address space, split into /64s. The prefix
 * is drawn once and kept in the store under {@code ipam/SPACE/ula} (created if absent, so hosts
 * sharing a global store share it too), so it stays the same across restarts.
 */
final class UlaPrefix {
    static final int SUBNET_SIZE = 64;
    private static final SecureRandom RANDOM = new SecureRandom();

    private UlaPrefix() {
    }

    /** The automatic IPv6 pools of {@code space}: its /48 in /64s. */
    static PredefinedPools pools(Store store, String space) {
        return new PredefinedPools(List.of(new PredefinedPools.Base(prefix(store, space), SUBNET_SIZE)));
    }

    /** The space's ULA /48, drawn and stored the first time. */
    static IpPrefix prefix(Store store, String space) {
        String key = "ipam/" + space + "/ula";
        for (int attempt = 0; attempt < 3; attempt++) {
            var kept = store.get(key);
            if (kept.isPresent()) {
                return IpPrefix.parse(kept.get().valueAsString());
            }
            String drawn = random().toString();
            try {
                store.putIfVersion(key, drawn.getBytes(StandardCharsets.UTF_8), 0);
                return IpPrefix.parse(drawn);
            } catch (VersionConflictException e) {
                // another host or thread stored one first: read it
            }
        }
        throw new IpamException(IpamException.Reason.EXHAUSTED, "could not store the ULA prefix of " + space);
    }

    /** fdXX:XXXX:XXXX::/48 with a random global ID. */
    static IpPrefix random() {
        byte[] id = new byte[5];
        RANDOM.nextBytes(id);
        String hex = "fd" + HexFormat.of().formatHex(id);
        return IpPrefix.parse(hex.substring(0, 4) + ":" + hex.substring(4, 8) + ":" + hex.substring(8, 12) + "::/48");
    }
}
