package dev.weft.engine.ipam;

import dev.weft.net.IpPrefix;

import java.util.ArrayList;
import java.util.List;

/**
 * Where automatic subnets come from, as in Docker: each base prefix is split into subnets of
 * {@code size} bits. Local default: 172.17.0.0/16 to 172.31.0.0/16, then 192.168.0.0/16 in /20s;
 * global default: 10.0.0.0/8 in /24s. A {@code shared} space is kept in the global store when
 * there is one, so that every host allocates from the same pools and addresses.
 */
public record PredefinedPools(List<Base> bases, boolean shared) {
    /** A base prefix split into subnets of length {@code size}. */
    public record Base(IpPrefix base, int size) {
        public Base {
            if (size < base.length() || size > (base.isIpv4() ? 32 : 128)) {
                throw new IllegalArgumentException("cannot split " + base + " into /" + size + " subnets");
            }
            base = Subnets.network(base);
        }

        long count() {
            int bits = size - base.length();
            return bits >= 62 ? 1L << 62 : 1L << bits;
        }
    }

    public PredefinedPools {
        bases = List.copyOf(bases);
    }

    /** Pools of a space each host keeps to itself. */
    public PredefinedPools(List<Base> bases) {
        this(bases, false);
    }

    public static PredefinedPools localDefault() {
        List<Base> b = new ArrayList<>();
        for (int i = 17; i <= 31; i++) {
            b.add(new Base(IpPrefix.parse("172." + i + ".0.0/16"), 16));
        }
        b.add(new Base(IpPrefix.parse("192.168.0.0/16"), 20));
        return new PredefinedPools(b);
    }

    public static PredefinedPools globalDefault() {
        return new PredefinedPools(List.of(new Base(IpPrefix.parse("10.0.0.0/8"), 24)), true);
    }

    /** Parses "172.17.0.0/16:16,192.168.0.0/16:20" (base:size, comma-separated). */
    public static PredefinedPools parse(String text) {
        List<Base> b = new ArrayList<>();
        for (String part : text.split(",")) {
            String[] p = part.trim().split(":");
            if (p.length != 2) {
                throw new IllegalArgumentException("invalid default pool \"" + part + "\" (expected BASE/LEN:SIZE, e.g. 10.0.0.0/8:24)");
            }
            try {
                b.add(new Base(IpPrefix.parse(p[0]), Integer.parseInt(p[1])));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid subnet size in default pool \"" + part + "\"");
            }
        }
        return new PredefinedPools(b);
    }
}
