package dev.weft.linux.rtnl;

/** rtnetlink numbers from linux/rtnetlink.h, if_link.h, if_addr.h, neighbour.h. */
final class Rt {
    static final int AF_UNSPEC = 0;
    static final int AF_INET = 2;
    static final int AF_BRIDGE = 7;
    static final int AF_INET6 = 10;

    static final int RTM_NEWLINK = 16;
    static final int RTM_DELLINK = 17;
    static final int RTM_GETLINK = 18;
    static final int RTM_NEWADDR = 20;
    static final int RTM_DELADDR = 21;
    static final int RTM_GETADDR = 22;
    static final int RTM_NEWROUTE = 24;
    static final int RTM_DELROUTE = 25;
    static final int RTM_GETROUTE = 26;
    static final int RTM_NEWNEIGH = 28;
    static final int RTM_DELNEIGH = 29;
    static final int RTM_GETNEIGH = 30;

    static final int RTNLGRP_LINK = 1;

    static final int IFF_UP = 0x1;
    static final int IFF_LOWER_UP = 0x10000;

    static final int IFLA_ADDRESS = 1;
    static final int IFLA_IFNAME = 3;
    static final int IFLA_MTU = 4;
    static final int IFLA_LINK = 5;
    static final int IFLA_MASTER = 10;
    static final int IFLA_OPERSTATE = 16;
    static final int IFLA_LINKINFO = 18;
    static final int IFLA_NET_NS_FD = 28;
    static final int IFLA_LINK_NETNSID = 37;

    static final int IFLA_INFO_KIND = 1;
    static final int IFLA_INFO_DATA = 2;
    static final int IFLA_INFO_SLAVE_KIND = 4;
    static final int IFLA_INFO_SLAVE_DATA = 5;

    static final int VETH_INFO_PEER = 1;
    static final int IFLA_MACVLAN_MODE = 1;

    static final int IFLA_VXLAN_ID = 1;
    static final int IFLA_VXLAN_LINK = 3;
    static final int IFLA_VXLAN_LOCAL = 4;
    static final int IFLA_VXLAN_TTL = 5;
    static final int IFLA_VXLAN_LEARNING = 7;
    static final int IFLA_VXLAN_PROXY = 11;
    static final int IFLA_VXLAN_L2MISS = 13;
    static final int IFLA_VXLAN_L3MISS = 14;
    static final int IFLA_VXLAN_PORT = 15;
    static final int IFLA_VXLAN_LOCAL6 = 17;
    static final int IFLA_VXLAN_UDP_CSUM = 18;

    static final int IFLA_BRPORT_MODE = 4;
    static final int IFLA_BRPORT_LEARNING = 8;
    static final int IFLA_BRPORT_UNICAST_FLOOD = 9;
    static final int IFLA_BRPORT_NEIGH_SUPPRESS = 32;
    static final int IFLA_BRPORT_ISOLATED = 33;

    static final int IFA_ADDRESS = 1;
    static final int IFA_LOCAL = 2;
    static final int IFA_LABEL = 3;
    static final int IFA_BROADCAST = 4;
    static final int IFA_FLAGS = 8;
    static final int IFA_F_NODAD = 0x02;

    static final int RTA_DST = 1;
    static final int RTA_OIF = 4;
    static final int RTA_GATEWAY = 5;
    static final int RTA_PRIORITY = 6;
    static final int RTA_PREFSRC = 7;
    static final int RTA_TABLE = 15;
    static final int RTN_UNICAST = 1;
    static final int RTPROT_BOOT = 3;
    static final int RTNH_F_ONLINK = 4;
    static final int RT_TABLE_MAIN = 254;

    static final int NDA_DST = 1;
    static final int NDA_LLADDR = 2;
    static final int NDA_VNI = 7;
    static final int NDA_MASTER = 9;
    static final int NUD_PERMANENT = 0x80;
    static final int NTF_SELF = 0x02;
    static final int NTF_MASTER = 0x04;

    static final int IFINFOMSG_LEN = 16;
    static final int IFADDRMSG_LEN = 8;
    static final int RTMSG_LEN = 12;
    static final int NDMSG_LEN = 12;

    private Rt() {
    }

    static int family(java.net.InetAddress a) {
        return a instanceof java.net.Inet6Address ? AF_INET6 : AF_INET;
    }
}
