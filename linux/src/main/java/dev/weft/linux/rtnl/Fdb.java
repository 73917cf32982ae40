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

/**
 * Bridge forwarding database entries (AF_BRIDGE neighbours) of a link itself (NTF_SELF), such as
 * a VXLAN device's MAC -> remote VTEP entries.
 */
public final class Fdb {
    private final NetlinkSocket nl;
    private final Links links;

    Fdb(NetlinkSocket nl, Links links) {
        this.nl = nl;
        this.links = links;
    }

    /** Adds or replaces the entry for {@code mac} (one destination per MAC); replaying it is harmless. */
    public void replace(String link, MacAddress mac, InetAddress destination) {
        change(link, Nl.F_CREATE | Nl.F_REPLACE, mac, destination, "add fdb entry");
    }

    /**
     * Appends a further destination for {@code mac}: with the all-zero MAC this builds a VXLAN
     * device's head-end replication list for broadcast and unknown traffic.
     */
    public void append(String link, MacAddress mac, InetAddress destination) {
        change(link, Nl.F_CREATE | Nl.F_APPEND, mac, destination, "append fdb entry");
    }

    /** Deletes the entry for {@code mac} (and {@code destination}, when given). */
    public void delete(String link, MacAddress mac, InetAddress destination) {
        NlRequest r = NdMessages.request(Rt.RTM_DELNEIGH, 0, Rt.AF_BRIDGE, links.get(link).index(), 0, Rt.NTF_SELF,
                destination, mac);
        nl.execute(r, "delete fdb entry " + mac + describe(destination) + " on link", Links.quote(link));
    }

    public boolean deleteIfExists(String link, MacAddress mac, InetAddress destination) {
        try {
            delete(link, mac, destination);
            return true;
        } catch (KernelException.NotFound e) {
            return false;
        }
    }

    private void change(String link, int flags, MacAddress mac, InetAddress destination, String what) {
        NlRequest r = NdMessages.request(Rt.RTM_NEWNEIGH, flags, Rt.AF_BRIDGE, links.get(link).index(),
                Rt.NUD_PERMANENT, Rt.NTF_SELF, destination, mac);
        nl.execute(r, what + " " + mac + describe(destination) + " on link", Links.quote(link));
    }

    private static String describe(InetAddress destination) {
        return destination == null ? "" : " dst " + IpPrefix.format(destination);
    }

    /** The FDB entries of one link (its own and those its bridge master keeps for it). */
    public List<FdbEntry> list(String link) {
        int index = links.get(link).index();
        List<FdbEntry> out = new ArrayList<>();
        NlRequest dump = new NlRequest(Rt.RTM_GETNEIGH, 0, NdMessages.ndmsg(Rt.AF_BRIDGE, 0, 0, 0), List.of());
        for (NlMessage m : nl.dump(dump, "list fdb entries of link", Links.quote(link))) {
            NdMessages.Parsed p = NdMessages.parse(m);
            if (p.linkIndex() == index && p.mac() != null) {
                out.add(new FdbEntry(index, p.mac(), p.ip(), (p.flags() & Rt.NTF_MASTER) != 0,
                        (p.state() & Rt.NUD_PERMANENT) != 0));
            }
        }
        return out;
    }
}
