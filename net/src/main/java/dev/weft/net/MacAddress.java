package dev.weft.net;

import java.net.Inet4Address;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** A 48-bit Ethernet address. */
public record MacAddress(byte[] bytes) {
    private static final HexFormat HEX = HexFormat.ofDelimiter(":");

    public MacAddress {
        if (bytes == null || bytes.length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 bytes");
        }
        bytes = bytes.clone();
    }

    /** Parses "02:42:c0:00:02:05". */
    public static MacAddress parse(String text) {
        try {
            byte[] b = HEX.parseHex(text.toLowerCase());
            if (b.length == 6) {
                return new MacAddress(b);
            }
        } catch (IllegalArgumentException ignored) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("invalid MAC address \"" + text + "\" (expected six hex pairs like 02:42:c0:00:02:05)");
    }

    /** The MAC Docker derives from an IPv4 address: 02:42 followed by the four address bytes. */
    public static MacAddress fromIpv4(Inet4Address ip) {
        byte[] a = ip.getAddress();
        return new MacAddress(new byte[] {0x02, 0x42, a[0], a[1], a[2], a[3]});
    }

    /** A random, locally administered, unicast address. */
    public static MacAddress random() {
        byte[] b = new byte[6];
        ThreadLocalRandom.current().nextBytes(b);
        b[0] = (byte) ((b[0] & 0xfe) | 0x02);
        return new MacAddress(b);
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MacAddress m && Arrays.equals(bytes, m.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HEX.formatHex(bytes);
    }
}
