package dev.weft.linux.rtnl;

import dev.weft.net.MacAddress;

import dev.weft.linux.netlink.Attr;
import dev.weft.linux.netlink.Attrs;
import dev.weft.linux.netlink.NlMessage;
import dev.weft.linux.netlink.NlRequest;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** The ndmsg framing shared by neighbour entries and bridge FDB entries. */
final class NdMessages {
    private NdMessages() {
    }

    record Parsed(int family, int linkIndex, int state, int flags, InetAddress ip, MacAddress mac) {
    }

    static NlRequest request(int type, int nlFlags, int family, int index, int state, int ntfFlags,
                             InetAddress ip, MacAddress mac) {
        List<Attr> attrs = new ArrayList<>(2);
        if (ip != null) {
            attrs.add(Attr.address(Rt.NDA_DST, ip));
        }
        if (mac != null) {
            attrs.add(Attr.bytes(Rt.NDA_LLADDR, mac.bytes()));
        }
        return new NlRequest(type, nlFlags, ndmsg(family, index, state, ntfFlags), attrs);
    }

    static byte[] ndmsg(int family, int index, int state, int flags) {
        return ByteBuffer.allocate(Rt.NDMSG_LEN).order(ByteOrder.nativeOrder())
                .put((byte) family).put((byte) 0).putShort((short) 0).putInt(index)
                .putShort((short) state).put((byte) flags).put((byte) 0).array();
    }

    static Parsed parse(NlMessage m) {
        ByteBuffer h = m.header(Rt.NDMSG_LEN);
        Attrs a = m.attrs(Rt.NDMSG_LEN);
        byte[] mac = a.bytes(Rt.NDA_LLADDR);
        return new Parsed(Byte.toUnsignedInt(h.get(0)), h.getInt(4), Short.toUnsignedInt(h.getShort(8)),
                Byte.toUnsignedInt(h.get(10)), a.address(Rt.NDA_DST),
                mac != null && mac.length == 6 ? new MacAddress(mac) : null);
    }
}
