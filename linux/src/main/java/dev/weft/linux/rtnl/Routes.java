package dev.weft.linux.rtnl;

import dev.weft.net.IpPrefix;

import dev.weft.linux.KernelException;
import dev.weft.linux.netlink.Attr;
import dev.weft.linux.netlink.Attrs;
import dev.weft.linux.netlink.NetlinkSocket;
import dev.weft.linux.netlink.Nl;
import dev.weft.linux.netlink.NlMessage;
import dev.weft.linux.netlink.NlRequest;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Unicast routes (RTM_*ROUTE) in the namespace of one rtnetlink socket. */
public final class Routes {
    private static final int RT_SCOPE_UNIVERSE = 0;
    private static final int RT_SCOPE_LINK = 253;
    private final NetlinkSocket nl;

    Routes(NetlinkSocket nl) {
        this.nl = nl;
    }

    /** Adds the route; fails with AlreadyExists if the same route is there. */
    public void add(Route route) {
        nl.execute(request(Rt.RTM_NEWROUTE, Nl.F_CREATE | Nl.F_EXCL, route), "add route", route.toString());
    }

    /** Adds the route or replaces the one with the same destination, table and metric. */
    public void replace(Route route) {
        nl.execute(request(Rt.RTM_NEWROUTE, Nl.F_CREATE | Nl.F_REPLACE, route), "replace route", route.toString());
    }

    public void delete(Route route) {
        nl.execute(request(Rt.RTM_DELROUTE, 0, route), "delete route", route.toString());
    }

    public boolean deleteIfExists(Route route) {
        try {
            delete(route);
            return true;
        } catch (KernelException.NotFound e) {
            return false;
        }
    }

    /** Unicast routes of every table for IPv4 and IPv6, without the kernel's local/broadcast ones. */
    public List<Route> list() {
        List<Route> out = new ArrayList<>();
        for (int family : new int[] {Rt.AF_INET, Rt.AF_INET6}) {
            byte[] header = rtmsg(family, 0, 0, 0, 0, 0, 0);
            for (NlMessage m : nl.dump(new NlRequest(Rt.RTM_GETROUTE, 0, header, List.of()), "list routes", "")) {
                Route r = parse(m);
                if (r != null) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    /** The routes of one table (254 for main). */
    public List<Route> list(int table) {
        return list().stream().filter(r -> r.table() == table).toList();
    }

    /**
     * The main table's default route of the family of {@code family} (an IPv4 or IPv6 address)
     * that the kernel would use: the one with the lowest metric that names its device. Empty when
     * there is none (or only multipath ones, which name no single device).
     */
    public Optional<Route> defaultRoute(InetAddress family) {
        int af = Rt.family(family);
        byte[] header = rtmsg(af, 0, 0, 0, 0, 0, 0);
        Route best = null;
        for (NlMessage m : nl.dump(new NlRequest(Rt.RTM_GETROUTE, 0, header, List.of()), "list routes", "")) {
            Route r = parse(m);
            if (r != null && r.isDefault() && r.table() == Route.MAIN_TABLE && r.outIndex() != 0
                    && Rt.family(r.destination().address()) == af && (best == null || r.metric() < best.metric())) {
                best = r;
            }
        }
        return Optional.ofNullable(best);
    }

    private static NlRequest request(int type, int flags, Route r) {
        InetAddress dst = r.destination().address();
        int scope = r.gateway() == null && !r.isDefault() ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
        int table = r.table() == 0 ? Route.MAIN_TABLE : r.table();
        byte[] header = rtmsg(Rt.family(dst), r.destination().length(), table < 256 ? table : 0,
                Rt.RTPROT_BOOT, type == Rt.RTM_DELROUTE ? 0 : scope, Rt.RTN_UNICAST, r.onlink() ? Rt.RTNH_F_ONLINK : 0);
        List<Attr> attrs = new ArrayList<>();
        if (r.destination().length() > 0) {
            attrs.add(Attr.address(Rt.RTA_DST, dst));
        }
        if (r.gateway() != null) {
            attrs.add(Attr.address(Rt.RTA_GATEWAY, r.gateway()));
        }
        if (r.outIndex() != 0) {
            attrs.add(Attr.u32(Rt.RTA_OIF, r.outIndex()));
        }
        if (r.metric() != 0) {
            attrs.add(Attr.u32(Rt.RTA_PRIORITY, r.metric()));
        }
        if (r.source() != null) {
            attrs.add(Attr.address(Rt.RTA_PREFSRC, r.source()));
        }
        attrs.add(Attr.u32(Rt.RTA_TABLE, table));
        return new NlRequest(type, flags, header, attrs);
    }

    private static byte[] rtmsg(int family, int dstLen, int table, int protocol, int scope, int type, int flags) {
        return ByteBuffer.allocate(Rt.RTMSG_LEN).order(ByteOrder.nativeOrder())
                .put((byte) family).put((byte) dstLen).put((byte) 0).put((byte) 0)
                .put((byte) table).put((byte) protocol).put((byte) scope).put((byte) type).putInt(flags).array();
    }

    private static Route parse(NlMessage m) {
        ByteBuffer h = m.header(Rt.RTMSG_LEN);
        int family = Byte.toUnsignedInt(h.get(0));
        int dstLen = Byte.toUnsignedInt(h.get(1));
        int type = Byte.toUnsignedInt(h.get(7));
        if (type != Rt.RTN_UNICAST) {
            return null;
        }
        Attrs a = m.attrs(Rt.RTMSG_LEN);
        int table = a.u32(Rt.RTA_TABLE, Byte.toUnsignedInt(h.get(4)));
        InetAddress dst = a.address(Rt.RTA_DST);
        IpPrefix destination;
        if (dst == null) {
            destination = IpPrefix.any(family == Rt.AF_INET6 ? IpPrefix.parseAddress("::") : IpPrefix.parseAddress("0.0.0.0"));
        } else {
            destination = new IpPrefix(dst, dstLen);
        }
        boolean onlink = (h.getInt(8) & Rt.RTNH_F_ONLINK) != 0;
        return new Route(destination, a.address(Rt.RTA_GATEWAY), a.u32(Rt.RTA_OIF, 0), table,
                a.u32(Rt.RTA_PRIORITY, 0), onlink, a.address(Rt.RTA_PREFSRC));
    }
}
