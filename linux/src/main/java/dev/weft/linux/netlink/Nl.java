package dev.weft.linux.netlink;

/** Netlink framing constants (linux/netlink.h) and the one alignment rule. */
public final class Nl {
    public static final int NETLINK_ROUTE = 0;
    public static final int NETLINK_NETFILTER = 12;
    public static final int SOL_NETLINK = 270;
    public static final int NETLINK_ADD_MEMBERSHIP = 1;
    public static final int NETLINK_CAP_ACK = 10;
    public static final int NETLINK_EXT_ACK = 11;
    public static final int NETLINK_GET_STRICT_CHK = 12;

    public static final int HEADER_LEN = 16;
    public static final short NLMSG_NOOP = 1;
    public static final short NLMSG_ERROR = 2;
    public static final short NLMSG_DONE = 3;

    public static final int F_REQUEST = 0x01;
    public static final int F_MULTI = 0x02;
    public static final int F_ACK = 0x04;
    public static final int F_DUMP_INTR = 0x10;
    public static final int F_ROOT = 0x100;
    public static final int F_MATCH = 0x200;
    public static final int F_DUMP = F_ROOT | F_MATCH;
    public static final int F_REPLACE = 0x100;
    public static final int F_EXCL = 0x200;
    public static final int F_CREATE = 0x400;
    public static final int F_APPEND = 0x800;
    /** In an NLMSG_ERROR: the echoed request was cut to its header. */
    public static final int F_CAPPED = 0x100;
    /** In an NLMSG_ERROR: extended-ack attributes follow. */
    public static final int F_ACK_TLVS = 0x200;

    public static final int NLMSGERR_ATTR_MSG = 1;

    public static final int NLA_HEADER_LEN = 4;
    public static final int NLA_F_NESTED = 0x8000;
    public static final int NLA_F_NET_BYTEORDER = 0x4000;
    public static final int NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;

    private Nl() {
    }

    /** Rounds {@code length} up to netlink's 4-byte alignment. */
    public static int align(int length) {
        return (length + 3) & ~3;
    }
}
