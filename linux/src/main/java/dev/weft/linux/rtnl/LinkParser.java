package dev.weft.linux.rtnl;

import dev.weft.net.MacAddress;

import dev.weft.linux.netlink.Attrs;
import dev.weft.linux.netlink.NlMessage;

import java.nio.ByteBuffer;

/** Parses RTM_NEWLINK messages. */
final class LinkParser {
    private LinkParser() {
    }

    static Link parse(NlMessage m) {
        ByteBuffer h = m.header(Rt.IFINFOMSG_LEN);
        int index = h.getInt(4);
        int flags = h.getInt(8);
        Attrs a = m.attrs(Rt.IFINFOMSG_LEN);
        Attrs info = a.nested(Rt.IFLA_LINKINFO);
        String kind = info.string(Rt.IFLA_INFO_KIND);
        Attrs data = info.nested(Rt.IFLA_INFO_DATA);
        byte[] mac = a.bytes(Rt.IFLA_ADDRESS);
        Link.VxlanInfo vxlan = "vxlan".equals(kind) ? new Link.VxlanInfo(data.u32(Rt.IFLA_VXLAN_ID, 0),
                data.has(Rt.IFLA_VXLAN_LOCAL) ? data.address(Rt.IFLA_VXLAN_LOCAL) : data.address(Rt.IFLA_VXLAN_LOCAL6),
                data.be16(Rt.IFLA_VXLAN_PORT, 0), data.u32(Rt.IFLA_VXLAN_LINK, 0),
                data.u8(Rt.IFLA_VXLAN_LEARNING, 0) != 0, data.u8(Rt.IFLA_VXLAN_PROXY, 0) != 0) : null;
        MacvlanMode mode = "macvlan".equals(kind) ? MacvlanMode.of(data.u32(Rt.IFLA_MACVLAN_MODE, 0)) : null;
        BridgePort port = null;
        if ("bridge".equals(info.string(Rt.IFLA_INFO_SLAVE_KIND))) {
            Attrs p = info.nested(Rt.IFLA_INFO_SLAVE_DATA);
            port = new BridgePort(bool(p, Rt.IFLA_BRPORT_MODE), bool(p, Rt.IFLA_BRPORT_LEARNING),
                    bool(p, Rt.IFLA_BRPORT_UNICAST_FLOOD), bool(p, Rt.IFLA_BRPORT_NEIGH_SUPPRESS),
                    bool(p, Rt.IFLA_BRPORT_ISOLATED));
        }
        return new Link(index, a.string(Rt.IFLA_IFNAME), kind, a.u32(Rt.IFLA_MTU, 0),
                mac != null && mac.length == 6 ? new MacAddress(mac) : null,
                (flags & Rt.IFF_UP) != 0, (flags & Rt.IFF_LOWER_UP) != 0,
                a.u32(Rt.IFLA_MASTER, 0), a.u32(Rt.IFLA_LINK, 0), a.u32(Rt.IFLA_LINK_NETNSID, -1),
                vxlan, mode, port);
    }

    private static Boolean bool(Attrs a, int type) {
        return a.has(type) ? a.u8(type, 0) != 0 : null;
    }
}
