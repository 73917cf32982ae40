package dev.weft.engine.ipam;

import dev.weft.net.IpPrefix;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Address arithmetic on prefixes: network address, containment, overlap, offsets. */
public final class Subnets {
    /** Allocation works on at most 2^62 addresses of a subnet (all of any IPv6 /66 or longer). */
    static final int MAX_BITS = 62;

    private Subnets() {
    }

    static int bits(InetAddress a) {
        return a instanceof Inet4Address ? 32 : 128;
    }

    static BigInteger toNumber(InetAddress a) {
        return new BigInteger(1, a.getAddress());
    }

    static InetAddress fromNumber(BigInteger n, int bits) {
        byte[] raw = n.toByteArray();
        byte[] out = new byte[bits / 8];
        int copy = Math.min(raw.length, out.length);
        System.arraycopy(raw, raw.length - copy, out, out.length - copy, copy);
        try {
            return InetAddress.getByAddress(out);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The prefix with its host bits cleared: 192.0.2.5/24 becomes 192.0.2.0/24. */
    public static IpPrefix network(IpPrefix p) {
        int bits = bits(p.address());
        BigInteger mask = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
                .shiftRight(p.length()).not();
        return new IpPrefix(fromNumber(toNumber(p.address()).and(mask), bits), p.length());
    }

    public static boolean isNetworkAddress(IpPrefix p) {
        return network(p).address().equals(p.address());
    }

    public static boolean contains(IpPrefix p, InetAddress a) {
        if (bits(a) != bits(p.address())) {
            return false;
        }
        return network(new IpPrefix(a, p.length())).address().equals(network(p).address());
    }

    /** Whether {@code inner} lies wholly inside {@code outer}. */
    public static boolean contains(IpPrefix outer, IpPrefix inner) {
        return inner.length() >= outer.length() && contains(outer, inner.address());
    }

    public static boolean overlaps(IpPrefix a, IpPrefix b) {
        return bits(a.address()) == bits(b.address()) && (contains(a, b.address()) || contains(b, a.address()));
    }

    /** Number of addresses in the prefix, capped at 2^62. */
    static long size(IpPrefix p) {
        int host = bits(p.address()) - p.length();
        return host >= MAX_BITS ? 1L << MAX_BITS : 1L << host;
    }

    /** The address {@code offset} places after the prefix's network address. */
    static InetAddress at(IpPrefix p, long offset) {
        int bits = bits(p.address());
        return fromNumber(toNumber(network(p).address()).add(BigInteger.valueOf(offset)), bits);
    }

    /** The offset of {@code a} from the prefix's network address ({@code a} must be inside it). */
    static long offset(IpPrefix p, InetAddress a) {
        return toNumber(a).subtract(toNumber(network(p).address())).longValueExact();
    }

    /** The {@code index}-th subnet of length {@code length} inside {@code p}. */
    static IpPrefix split(IpPrefix p, int length, long index) {
        int bits = bits(p.address());
        BigInteger step = BigInteger.ONE.shiftLeft(bits - length);
        return new IpPrefix(fromNumber(toNumber(network(p).address()).add(step.multiply(BigInteger.valueOf(index))), bits),
                length);
    }
}
