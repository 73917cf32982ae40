package dev.weft.linux.rtnl;

import dev.weft.net.MacAddress;

import dev.weft.net.IpPrefix;

import dev.weft.linux.KernelException;
import dev.weft.linux.netlink.NetlinkSocket;
import dev.weft.linux.netlink.Nl;
import dev.weft.linux.netlink.NlMessage;
import dev.weft.linux.netlink.NlRequest;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** Permanent ARP (IPv4) and NDP (IPv6) entries, as an overlay programs for remote endpoints. */
public final class Neighbours {
    private final NetlinkSocket nl;
    private final Links links;

    Neighbours(NetlinkSocket nl, Links links) {
        this.nl = nl;
        this.links = links;
    }

    /** Adds or replaces the permanent entry {@code ip} -> {@code mac} on the link; replaying it is harmless. */
    public void replace(String link, InetAddress ip, MacAddress mac) {
        nl.execute(NdMessages.request(Rt.RTM_NEWNEIGH, Nl.F_CREATE | Nl.F_REPLACE, Rt.family(ip), links.get(link).index(),
                Rt.NUD_PERMANENT, 0, ip, mac), "add neighbour " + IpPrefix.format(ip) + " lladdr " + mac + " on link",
                Links.quote(link));
    }

    public void delete(String link, InetAddress ip) {
        nl.execute(NdMessages.request(Rt.RTM_DELNEIGH, 0, Rt.family(ip), links.get(link).index(), 0, 0, ip, null),
                "delete neighbour " + IpPrefix.format(ip) + " on link", Links.quote(link));
    }

    public boolean deleteIfExists(String link, InetAddress ip) {
        try {
            delete(link, ip);
            return true;
        } catch (KernelException.NotFound e) {
            return false;
        }
    }

    /** The IPv4 and IPv6 neighbour entries of one link. */
    public List<Neighbour> list(String link) {
        int index = links.get(link).index();
        List<Neighbour> out = new ArrayList<>();
        for (int family : new int[] {Rt.AF_INET, Rt.AF_INET6}) {
            NlRequest dump = new NlRequest(Rt.RTM_GETNEIGH, 0, NdMessages.ndmsg(family, 0, 0, 0), List.of());
            for (NlMessage m : nl.dump(dump, "list neighbours of link", Links.quote(link))) {
                NdMessages.Parsed p = NdMessages.parse(m);
                if (p.linkIndex() == index && p.ip() != null) {
                    out.add(new Neighbour(p.linkIndex(), p.ip(), p.mac(), (p.state() & Rt.NUD_PERMANENT) != 0));
                }
            }
        }
        return out;
    }
}
