package dev.weft.linux.rtnl;

import dev.weft.net.MacAddress;

import dev.weft.linux.KernelException;
import dev.weft.linux.netlink.Attr;
import dev.weft.linux.netlink.NetlinkSocket;
import dev.weft.linux.netlink.Nl;
import dev.weft.linux.netlink.NlMessage;
import dev.weft.linux.netlink.NlRequest;
import dev.weft.linux.netns.Netns;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Network links (RTM_*LINK) in the namespace of one rtnetlink socket. Links are named by name. */
public final class Links {
    private final NetlinkSocket nl;

    Links(NetlinkSocket nl) {
        this.nl = nl;
    }

    /** Every link in the namespace. */
    public List<Link> list() {
        List<Link> links = new ArrayList<>();
        for (NlMessage m : nl.dump(new NlRequest(Rt.RTM_GETLINK, 0, ifinfomsg(0, 0, 0), List.of()), "list links", "")) {
            links.add(LinkParser.parse(m));
        }
        return links;
    }

    /** The link called {@code name}; throws KernelException.NotFound if there is none. */
    public Link get(String name) {
        List<NlMessage> reply = nl.query(new NlRequest(Rt.RTM_GETLINK, 0, ifinfomsg(0, 0, 0),
                List.of(Attr.string(Rt.IFLA_IFNAME, name))), "get link", quote(name));
        return LinkParser.parse(reply.getFirst());
    }

    /** The link with index {@code index}; throws KernelException.NotFound if there is none. */
    public Link get(int index) {
        List<NlMessage> reply = nl.query(new NlRequest(Rt.RTM_GETLINK, 0, ifinfomsg(index, 0, 0), List.of()),
                "get link", "index " + index);
        return LinkParser.parse(reply.getFirst());
    }

    public Optional<Link> find(String name) {
        try {
            return Optional.of(get(name));
        } catch (KernelException.NotFound e) {
            return Optional.empty();
        }
    }

    /** Creates the link; fails with KernelException.AlreadyExists if the name is taken. */
    public void create(LinkSpec spec) {
        validateName(spec.name());
        List<Attr> attrs = new ArrayList<>();
        attrs.add(Attr.string(Rt.IFLA_IFNAME, spec.name()));
        int flags = 0;
        List<Attr> data = switch (spec) {
            case LinkSpec.Veth v -> {
                validateName(v.peerName());
                common(attrs, v.mtu(), v.mac());
                if (v.master() != null) {
                    attrs.add(Attr.u32(Rt.IFLA_MASTER, masterIndex(v.master(), spec)));
                }
                flags = v.up() ? Rt.IFF_UP : 0;
                List<Attr> peer = new ArrayList<>();
                peer.add(Attr.string(Rt.IFLA_IFNAME, v.peerName()));
                common(peer, v.mtu(), v.peerMac());
                if (v.peerNamespace() != null) {
                    peer.add(Attr.u32(Rt.IFLA_NET_NS_FD, v.peerNamespace().fd()));
                }
                yield List.of(Attr.bytes(Rt.VETH_INFO_PEER, concat(ifinfomsg(0, 0, 0), Attr.encodeAll(peer))));
            }
            case LinkSpec.Bridge b -> {
                common(attrs, b.mtu(), b.mac());
                yield List.of();
            }
            case LinkSpec.Vxlan x -> {
                common(attrs, x.mtu(), null);
                yield vxlanData(x);
            }
            case LinkSpec.Macvlan m -> {
                common(attrs, m.mtu(), m.mac());
                attrs.add(Attr.u32(Rt.IFLA_LINK, parentIndex(m.parent(), spec)));
                if (m.namespace() != null) {
                    attrs.add(Attr.u32(Rt.IFLA_NET_NS_FD, m.namespace().fd()));
                }
                yield List.of(Attr.u32(Rt.IFLA_MACVLAN_MODE, m.mode().value));
            }
        };
        List<Attr> info = new ArrayList<>();
        info.add(Attr.string(Rt.IFLA_INFO_KIND, spec.kind()));
        if (!data.isEmpty()) {
            info.add(Attr.nested(Rt.IFLA_INFO_DATA, data));
        }
        attrs.add(Attr.nested(Rt.IFLA_LINKINFO, info));
        nl.execute(new NlRequest(Rt.RTM_NEWLINK, Nl.F_CREATE | Nl.F_EXCL, ifinfomsg(0, flags, flags), attrs),
                "create " + spec.kind(), describe(spec));
    }

    private List<Attr> vxlanData(LinkSpec.Vxlan x) {
        List<Attr> data = new ArrayList<>();
        data.add(Attr.u32(Rt.IFLA_VXLAN_ID, x.vni()));
        if (x.local() != null) {
            data.add(Attr.address(x.local() instanceof java.net.Inet6Address ? Rt.IFLA_VXLAN_LOCAL6 : Rt.IFLA_VXLAN_LOCAL,
                    x.local()));
        }
        if (x.parent() != null) {
            data.add(Attr.u32(Rt.IFLA_VXLAN_LINK, parentIndex(x.parent(), x)));
        }
        data.add(Attr.be16(Rt.IFLA_VXLAN_PORT, x.port() == 0 ? 4789 : x.port()));
        data.add(Attr.u8(Rt.IFLA_VXLAN_LEARNING, x.learning() ? 1 : 0));
        data.add(Attr.u8(Rt.IFLA_VXLAN_PROXY, x.proxy() ? 1 : 0));
        data.add(Attr.u8(Rt.IFLA_VXLAN_UDP_CSUM, x.udpChecksum() ? 1 : 0));
        return data;
    }

    private int parentIndex(String parent, LinkSpec spec) {
        return index(parent, "parent device", spec);
    }

    private int masterIndex(String master, LinkSpec spec) {
        return index(master, "master device", spec);
    }

    private int index(String name, String role, LinkSpec spec) {
        try {
            return get(name).index();
        } catch (KernelException.NotFound e) {
            throw KernelException.of(e.errno(), "create " + spec.kind(), describe(spec), nl.namespace(),
                    role + " \"" + name + "\" does not exist", e);
        }
    }

    private static void common(List<Attr> attrs, int mtu, MacAddress mac) {
        if (mtu > 0) {
            attrs.add(Attr.u32(Rt.IFLA_MTU, mtu));
        }
        if (mac != null) {
            attrs.add(Attr.bytes(Rt.IFLA_ADDRESS, mac.bytes()));
        }
    }

    /** Deletes the link (a veth takes its peer with it); throws NotFound if it does not exist. */
    public void delete(String name) {
        nl.execute(new NlRequest(Rt.RTM_DELLINK, 0, ifinfomsg(0, 0, 0), List.of(Attr.string(Rt.IFLA_IFNAME, name))),
                "delete link", quote(name));
    }

    /** Deletes the link if it exists; returns whether it did. Teardown can repeat it safely. */
    public boolean deleteIfExists(String name) {
        try {
            delete(name);
            return true;
        } catch (KernelException.NotFound e) {
            return false;
        }
    }

    public void setUp(String name) {
        change(name, Rt.IFF_UP, Rt.IFF_UP, List.of(), "set up link");
    }

    public void setDown(String name) {
        change(name, 0, Rt.IFF_UP, List.of(), "set down link");
    }

    public void setMtu(String name, int mtu) {
        change(name, 0, 0, List.of(Attr.u32(Rt.IFLA_MTU, mtu)), "set mtu " + mtu + " on link");
    }

    public void setMac(String name, MacAddress mac) {
        change(name, 0, 0, List.of(Attr.bytes(Rt.IFLA_ADDRESS, mac.bytes())), "set mac " + mac + " on link");
    }

    public void rename(String name, String newName) {
        validateName(newName);
        change(name, 0, 0, List.of(Attr.string(Rt.IFLA_IFNAME, newName)), "rename to \"" + newName + "\" link");
    }

    /** Enslaves the link to {@code master} (a bridge). */
    public void setMaster(String name, String master) {
        int masterIndex = get(master).index();
        change(name, 0, 0, List.of(Attr.u32(Rt.IFLA_MASTER, masterIndex)), "set master \"" + master + "\" of link");
    }

    public void setNoMaster(String name) {
        change(name, 0, 0, List.of(Attr.u32(Rt.IFLA_MASTER, 0)), "release from its master link");
    }

    /** Moves the link into {@code target}; it disappears from this namespace. */
    public void moveTo(String name, Netns target) {
        change(name, 0, 0, List.of(Attr.u32(Rt.IFLA_NET_NS_FD, target.fd())),
                "move to namespace " + target.name() + " link");
    }

    /** Sets the non-null options of a bridge port (the link must be enslaved to a bridge). */
    public void setBridgePort(String name, BridgePort options) {
        List<Attr> data = new ArrayList<>();
        flag(data, Rt.IFLA_BRPORT_MODE, options.hairpin());
        flag(data, Rt.IFLA_BRPORT_LEARNING, options.learning());
        flag(data, Rt.IFLA_BRPORT_UNICAST_FLOOD, options.unicastFlood());
        flag(data, Rt.IFLA_BRPORT_NEIGH_SUPPRESS, options.neighSuppress());
        flag(data, Rt.IFLA_BRPORT_ISOLATED, options.isolated());
        change(name, 0, 0, List.of(Attr.nested(Rt.IFLA_LINKINFO, Attr.string(Rt.IFLA_INFO_SLAVE_KIND, "bridge"),
                Attr.nested(Rt.IFLA_INFO_SLAVE_DATA, data))), "set bridge port options of link");
    }

    private static void flag(List<Attr> data, int type, Boolean value) {
        if (value != null) {
            data.add(Attr.u8(type, value ? 1 : 0));
        }
    }

    /**
     * The one way a link is changed: RTM_NEWLINK on an existing link named by name, or by index
     * when the change is a rename (the new name then travels in IFLA_IFNAME).
     */
    private void change(String name, int flags, int changeMask, List<Attr> attrs, String operation) {
        boolean renaming = attrs.stream().anyMatch(a -> a.type() == Rt.IFLA_IFNAME);
        int index = renaming ? get(name).index() : 0;
        List<Attr> all = new ArrayList<>(attrs.size() + 1);
        if (!renaming) {
            all.add(Attr.string(Rt.IFLA_IFNAME, name));
        }
        all.addAll(attrs);
        nl.execute(new NlRequest(Rt.RTM_NEWLINK, 0, ifinfomsg(index, flags, changeMask), all), operation, quote(name));
    }

    static byte[] ifinfomsg(int index, int flags, int change) {
        return ByteBuffer.allocate(Rt.IFINFOMSG_LEN).order(ByteOrder.nativeOrder())
                .put((byte) Rt.AF_UNSPEC).put((byte) 0).putShort((short) 0)
                .putInt(index).putInt(flags).putInt(change).array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static void validateName(String name) {
        if (name == null || name.isEmpty() || name.length() > 15 || name.equals(".") || name.equals("..")
                || name.chars().anyMatch(c -> c == '/' || c == ':' || Character.isWhitespace(c) || c == 0)) {
            throw KernelException.of(dev.weft.linux.sys.Errno.EINVAL, "use link name", quote(name), null,
                    "a link name is 1 to 15 characters without '/', ':' or spaces");
        }
    }

    private static String describe(LinkSpec spec) {
        return switch (spec) {
            case LinkSpec.Veth v -> quote(v.name()) + " (peer " + quote(v.peerName())
                    + (v.peerNamespace() != null ? " in namespace " + v.peerNamespace().name() : "") + ")";
            case LinkSpec.Macvlan m when m.namespace() != null -> quote(m.name()) + " (into namespace " + m.namespace().name() + ")";
            default -> quote(spec.name());
        };
    }

    static String quote(String name) {
        return "\"" + name + "\"";
    }
}
