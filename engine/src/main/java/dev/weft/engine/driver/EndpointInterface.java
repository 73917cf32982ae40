package dev.weft.engine.driver;

import dev.weft.engine.state.EndpointState;
import dev.weft.net.IpPrefix;
import dev.weft.linux.rtnl.Rtnetlink;

/** What every driver does to an endpoint's interface once it exists inside the sandbox. */
public final class EndpointInterface {
    private EndpointInterface() {
    }

    /**
     * Gives {@code ifname} the endpoint's IPv4 and IPv6 addresses and sets it up; nothing for a
     * hand-off port, whose runtime configures the interface once it has moved it.
     */
    public static void configure(SandboxPort sandbox, String ifname, EndpointState ep) {
        if (sandbox.handOff()) {
            return;
        }
        Rtnetlink inside = sandbox.rtnetlink();
        int index = inside.links().get(ifname).index();
        for (String a : new String[] {ep.ipv4(), ep.ipv6()}) {
            if (a != null) {
                inside.addresses().add(index, ifname, IpPrefix.parse(a));
            }
        }
        inside.links().setUp(ifname);
    }
}
