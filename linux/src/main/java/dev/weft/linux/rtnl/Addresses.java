package dev.weft.linux.rtnl;

import dev.weft.net.IpPrefix;

import dev.weft.linux.netlink.Attr;
import dev.weft.linux.netlink.Attrs;
import dev.weft.linux.netlink.NetlinkSocket;
import dev.weft.linux.netlink.Nl;
import dev.weft.linux.netlink.NlMessage;
import dev.weft.linux.netlink.NlRequest;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** IPv4 and IPv6 addresses (RTM_*ADDR) in the namespace of one rtnetlink socket. */
public final class Addresses {
    private final NetlinkSocket nl;
    private final Links links;

    Addresses(NetlinkSocket nl, Links links) {
        this.nl = nl;
        this.links = links;
    }

    /** Adds {@code prefix} to the link; an IPv6 address skips duplicate address detection. */
    public void add(String link, IpPrefix prefix) {
        add(links.get(link).index(), link, prefix);
    }

    /** Adds {@code prefix} to the link with index {@code index}; {@code linkName} only labels errors. */
    public void add(int index, String linkName, IpPrefix prefix) {
        nl.execute(request(Rt.RTM_NEWADDR, Nl.F_CREATE | Nl.F_EXCL, index, prefix),
                "add address " + prefix + " to link", Links.quote(linkName));
    }

    public void delete(String link, IpPrefix prefix) {
        nl.execute(request(Rt.RTM_DELADDR, 0, links.get(link).index(), prefix),
                "delete address " + prefix + " from link", Links.quote(link));
    }

    /** Every address of every link. */
    public List<Address> list() {
        List<Address> out = new ArrayList<>();
        byte[] header = ifaddrmsg(Rt.AF_UNSPEC, 0, 0, 0);
        for (NlMessage m : nl.dump(new NlRequest(Rt.RTM_GETADDR, 0, header, List.of()), "list addresses", "")) {
            out.add(parse(m));
        }
        return out;
    }

    /** The addresses of one link. */
    public List<Address> list(String link) {
        int index = links.get(link).index();
        return list().stream().filter(a -> a.linkIndex() == index).toList();
    }

    private static NlRequest request(int type, int flags, int index, IpPrefix prefix) {
        InetAddress ip = prefix.address();
        List<Attr> attrs = new ArrayList<>();
        attrs.add(Attr.address(Rt.IFA_LOCAL, ip));
        attrs.add(Attr.address(Rt.IFA_ADDRESS, ip));
        if (ip instanceof Inet6Address) {
            attrs.add(Attr.u32(Rt.IFA_FLAGS, Rt.IFA_F_NODAD));
        }
        return new NlRequest(type, flags, ifaddrmsg(Rt.family(ip), prefix.length(), 0, index), attrs);
    }

    private static byte[] ifaddrmsg(int family, int prefixLength, int scope, int index) {
        return ByteBuffer.allocate(Rt.IFADDRMSG_LEN).order(ByteOrder.nativeOrder())
                .put((byte) family).put((byte) prefixLength).put((byte) 0).put((byte) scope).putInt(index).array();
    }

    private static Address parse(NlMessage m) {
        ByteBuffer h = m.header(Rt.IFADDRMSG_LEN);
        int prefixLength = Byte.toUnsignedInt(h.get(1));
        int scope = Byte.toUnsignedInt(h.get(3));
        int index = h.getInt(4);
        Attrs a = m.attrs(Rt.IFADDRMSG_LEN);
        InetAddress ip = a.has(Rt.IFA_LOCAL) ? a.address(Rt.IFA_LOCAL) : a.address(Rt.IFA_ADDRESS);
        return new Address(index, new IpPrefix(ip, prefixLength), scope, a.string(Rt.IFA_LABEL));
    }
}
