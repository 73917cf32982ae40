package dev.weft.linux.netlink;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Received attributes, parsed with bounds checks: a malformed attribute ends the parse instead
 * of reading past its message. Getters return null (or a default) for an absent attribute.
 */
public final class Attrs {
    private static final Attrs EMPTY = new Attrs(Map.of());
    private final Map<Integer, ByteBuffer> values;

    private Attrs(Map<Integer, ByteBuffer> values) {
        this.values = values;
    }

    /** Parses the attributes in {@code buf} from its position to its limit. */
    public static Attrs parse(ByteBuffer buf) {
        ByteBuffer b = buf.slice().order(ByteOrder.nativeOrder());
        Map<Integer, ByteBuffer> map = new HashMap<>();
        while (b.remaining() >= Nl.NLA_HEADER_LEN) {
            int start = b.position();
            int len = Short.toUnsignedInt(b.getShort(start));
            int type = Short.toUnsignedInt(b.getShort(start + 2)) & Nl.NLA_TYPE_MASK;
            if (len < Nl.NLA_HEADER_LEN || len > b.remaining()) {
                break;
            }
            ByteBuffer value = b.slice(start + Nl.NLA_HEADER_LEN, len - Nl.NLA_HEADER_LEN).order(ByteOrder.nativeOrder());
            map.put(type, value); // a repeated attribute: the last one wins
            b.position(Math.min(b.limit(), start + Nl.align(len)));
        }
        return new Attrs(map);
    }

    public boolean has(int type) {
        return values.containsKey(type);
    }

    private ByteBuffer get(int type) {
        ByteBuffer v = values.get(type);
        return v == null ? null : v.duplicate().order(ByteOrder.nativeOrder());
    }

    public int u8(int type, int absent) {
        ByteBuffer v = get(type);
        return v == null || v.remaining() < 1 ? absent : Byte.toUnsignedInt(v.get(0));
    }

    public int u16(int type, int absent) {
        ByteBuffer v = get(type);
        return v == null || v.remaining() < 2 ? absent : Short.toUnsignedInt(v.getShort(0));
    }

    public int be16(int type, int absent) {
        ByteBuffer v = get(type);
        return v == null || v.remaining() < 2 ? absent : Short.toUnsignedInt(v.order(ByteOrder.BIG_ENDIAN).getShort(0));
    }

    public int u32(int type, int absent) {
        ByteBuffer v = get(type);
        return v == null || v.remaining() < 4 ? absent : v.getInt(0);
    }

    public String string(int type) {
        ByteBuffer v = get(type);
        if (v == null) {
            return null;
        }
        byte[] bytes = new byte[v.remaining()];
        v.get(bytes);
        int n = 0;
        while (n < bytes.length && bytes[n] != 0) {
            n++;
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }

    public byte[] bytes(int type) {
        ByteBuffer v = get(type);
        if (v == null) {
            return null;
        }
        byte[] bytes = new byte[v.remaining()];
        v.get(bytes);
        return bytes;
    }

    /** An IPv4 or IPv6 address attribute, or null. */
    public InetAddress address(int type) {
        byte[] raw = bytes(type);
        if (raw == null || (raw.length != 4 && raw.length != 16)) {
            return null;
        }
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The children of a nested attribute; empty when it is absent. */
    public Attrs nested(int type) {
        ByteBuffer v = get(type);
        return v == null ? EMPTY : parse(v);
    }
}
