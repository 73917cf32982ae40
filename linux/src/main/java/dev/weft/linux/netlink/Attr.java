package dev.weft.linux.netlink;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One netlink attribute to send: a leaf with a value, or a nested attribute with children.
 * Lengths and padding are computed here and nowhere else.
 */
public record Attr(int type, byte[] value, List<Attr> children) {

    public static Attr bytes(int type, byte[] value) {
        return new Attr(type, value.clone(), null);
    }

    public static Attr u8(int type, int value) {
        return new Attr(type, new byte[] {(byte) value}, null);
    }

    public static Attr u16(int type, int value) {
        return new Attr(type, ByteBuffer.allocate(2).order(ByteOrder.nativeOrder()).putShort((short) value).array(), null);
    }

    /** A 16-bit value in network byte order, such as a UDP port. */
    public static Attr be16(int type, int value) {
        return new Attr(type, ByteBuffer.allocate(2).order(ByteOrder.BIG_ENDIAN).putShort((short) value).array(), null);
    }

    public static Attr u32(int type, int value) {
        return new Attr(type, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array(), null);
    }

    public static Attr u64(int type, long value) {
        return new Attr(type, ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(value).array(), null);
    }

    /** A NUL-terminated string. */
    public static Attr string(int type, String value) {
        byte[] s = value.getBytes(StandardCharsets.UTF_8);
        byte[] v = new byte[s.length + 1];
        System.arraycopy(s, 0, v, 0, s.length);
        return new Attr(type, v, null);
    }

    public static Attr address(int type, InetAddress address) {
        return new Attr(type, address.getAddress(), null);
    }

    public static Attr flag(int type) {
        return new Attr(type, new byte[0], null);
    }

    public static Attr nested(int type, List<Attr> children) {
        return new Attr(type | Nl.NLA_F_NESTED, null, List.copyOf(children));
    }

    public static Attr nested(int type, Attr... children) {
        return nested(type, List.of(children));
    }

    /** Bytes this attribute takes, header and value, without the trailing padding. */
    public int length() {
        if (children == null) {
            return Nl.NLA_HEADER_LEN + value.length;
        }
        int n = Nl.NLA_HEADER_LEN;
        for (Attr child : children) {
            n += Nl.align(child.length());
        }
        return n;
    }

    /** Writes the attribute at the buffer's position and leaves it 4-byte aligned after it. */
    public void encode(ByteBuffer out) {
        int start = out.position();
        int length = length();
        out.putShort((short) length).putShort((short) type);
        if (children == null) {
            out.put(value);
        } else {
            for (Attr child : children) {
                child.encode(out);
            }
        }
        pad(out, start + Nl.align(length));
    }

    /** Encodes a list of attributes back to back, for payloads that embed a family header. */
    public static byte[] encodeAll(List<Attr> attrs) {
        int n = 0;
        for (Attr a : attrs) {
            n += Nl.align(a.length());
        }
        ByteBuffer out = ByteBuffer.allocate(n).order(ByteOrder.nativeOrder());
        for (Attr a : attrs) {
            a.encode(out);
        }
        return out.array();
    }

    static void pad(ByteBuffer out, int to) {
        while (out.position() < to) {
            out.put((byte) 0);
        }
    }
}
