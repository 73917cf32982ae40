package dev.weft.daemon;

import dev.weft.linux.netns.Netns;
import dev.weft.linux.rtnl.Address;
import dev.weft.linux.rtnl.IpPrefix;
import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.Rtnetlink;

import java.net.InetAddress;
import java.util.Optional;

/** Finds this host's advertise address from the cluster options. */
final class Cluster {
    private Cluster() {
    }

    /** {@code --advertise} as given (it must be an address of this host), or the first IPv4 address of {@code --bind-interface}. */
    static InetAddress advertiseAddress(ClusterOptions options, Netns host) {
        try (Rtnetlink nl = host == null ? Rtnetlink.open() : Rtnetlink.open(host)) {
            if (options.advertise() != null) {
                InetAddress a;
                try {
                    a = IpPrefix.parseAddress(options.advertise());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--advertise " + options.advertise() + " is not an IP address");
                }
                if (nl.addresses().list().stream().noneMatch(x -> x.prefix().address().equals(a))) {
                    throw new IllegalArgumentException("--advertise " + options.advertise() + " is not an address of this host");
                }
                if (a.isLoopbackAddress()) {
                    throw new IllegalArgumentException("--advertise " + options.advertise()
                            + " is a loopback address, which other hosts cannot reach");
                }
                return a;
            }
            Optional<Link> link = nl.links().find(options.bindInterface());
            if (link.isEmpty()) {
                throw new IllegalArgumentException("--bind-interface " + options.bindInterface() + ": no such interface");
            }
            InetAddress a = nl.addresses().list().stream().filter(x -> x.linkIndex() == link.get().index() && x.prefix().isIpv4())
                    .map(Address::prefix).map(IpPrefix::address).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("--bind-interface " + options.bindInterface()
                            + " has no IPv4 address"));
            if (a.isLoopbackAddress()) {
                throw new IllegalArgumentException("--bind-interface " + options.bindInterface() + ": its address "
                        + IpPrefix.format(a) + " is a loopback address, which other hosts cannot reach");
            }
            return a; // the interface is only read: weft never changes the underlay
        }
    }
}
