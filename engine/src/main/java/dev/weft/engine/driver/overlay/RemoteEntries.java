package dev.weft.engine.driver.overlay;

import dev.weft.engine.state.EndpointState;
import dev.weft.net.IpPrefix;
import dev.weft.net.MacAddress;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The entries a VXLAN device holds for the endpoints on other hosts: forwarding (each endpoint's
 * MAC to its host's address) and neighbours (each of its addresses to its MAC), and the index of
 * the device they were programmed on (-1 before they were).
 */
record RemoteEntries(int deviceIndex, Map<MacAddress, InetAddress> forwarding, Map<InetAddress, MacAddress> neighbours) {
    static RemoteEntries of(List<EndpointState> remote) {
        Map<MacAddress, InetAddress> forwarding = new HashMap<>();
        Map<InetAddress, MacAddress> neighbours = new HashMap<>();
        for (EndpointState ep : remote) {
            MacAddress mac = MacAddress.parse(ep.mac());
            forwarding.put(mac, IpPrefix.parseAddress(ep.host()));
            for (String a : new String[] {ep.ipv4(), ep.ipv6()}) {
                if (a != null) {
                    neighbours.put(IpPrefix.parse(a).address(), mac);
                }
            }
        }
        return new RemoteEntries(-1, Map.copyOf(forwarding), Map.copyOf(neighbours));
    }

    /** The same entries, as programmed on device {@code index}. */
    RemoteEntries on(int index) {
        return new RemoteEntries(index, forwarding, neighbours);
    }
}
