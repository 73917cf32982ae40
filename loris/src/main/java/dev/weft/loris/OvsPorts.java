package dev.weft.loris;

import dev.weft.linux.netns.Netns;
import dev.weft.net.MacAddress;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * loris's ports for other programs (weft's {@code ovs} network driver): the same veth and pod
 * access port {@code loris connect} makes, recorded the same way, so {@code loris status} lists
 * them and pods are shared with loris-connected containers. Addresses are the caller's to
 * configure; {@code address} is only recorded.
 */
public final class OvsPorts implements AutoCloseable {
    /** external_ids key naming the program that owns a port ("weft" for the driver's). */
    public static final String OWNER = "loris-owner";
    private final Ovs ovs;
    private final Connector connector;

    private OvsPorts(Ovs ovs, String dbUrl, Netns host) {
        this.ovs = ovs;
        this.connector = new Connector(ovs, dbUrl, host);
    }

    /** Connects to the database at {@code dbUrl}; {@code host} is the namespace Open vSwitch runs in (null: this one). */
    public static OvsPorts connect(String dbUrl, Netns host) {
        try {
            return new OvsPorts(Ovs.connect(dbUrl), dbUrl, host);
        } catch (LorisException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Fails unless {@code loris init} has made the bridge. */
    public void requireBridge() {
        call(() -> connector.requireBridge());
    }

    /**
     * Creates {@code ifname} in {@code sandbox} (MAC {@code mac}, down, no address) as an access port of
     * {@code pod} (0: the global pod); returns the host end's (port's) name.
     */
    public String attach(Netns sandbox, String ifname, MacAddress mac, int pod, String owner, String container, String address) {
        return call(() -> {
            Map<String, String> ids = new LinkedHashMap<>();
            ids.put(OWNER, owner);
            ids.put(Connector.CONTAINER, container);
            ids.put(Connector.PID, "0");
            ids.put(Connector.DHCP, "false");
            if (address != null) {
                ids.put(Connector.IP, address);
            }
            Ovs.Bridge bridge = connector.requireBridge();
            for (Ovs.Port p : ovs.ports(bridge)) {
                if (Connector.podName(pod).equals(p.id(Connector.POD)) && mac.toString().equals(p.id(Connector.MAC))) {
                    throw new LorisException("MAC address " + mac + " is already used in pod " + Connector.podName(pod)
                            + " by " + p.id(Connector.CONTAINER));
                }
            }
            return connector.plumb(bridge, sandbox, ifname, null, mac, pod, ids);
        });
    }

    /** Removes a port made by {@link #attach} and its veth; nothing if it is gone. */
    public void detach(String portName) {
        call(() -> {
            Optional<Ovs.Bridge> bridge = ovs.bridge(Ovs.BRIDGE);
            bridge.flatMap(b -> ovs.ports(b).stream().filter(p -> p.name().equals(portName)).findFirst())
                    .ifPresent(p -> connector.remove(bridge.get(), p));
            return null;
        });
    }

    /**
     * Makes the tunnel mesh match {@code remotes} (host addresses; this host's own are skipped) as
     * {@code loris cluster} does, with the tunnel type recorded by the last cluster run (VXLAN by
     * default); returns what changed, one line per tunnel.
     */
    public List<String> mesh(java.util.Collection<String> remotes) {
        return call(() -> new Cluster(ovs).reconcile(Cluster.parseRemotes(List.copyOf(remotes)),
                ovs.rootIds().getOrDefault(Cluster.TUNNEL, "vxlan")));
    }

    /** The names of the ports {@code owner} made. */
    public List<String> ports(String owner) {
        return call(() -> ovs.bridge(Ovs.BRIDGE).map(b -> ovs.ports(b).stream()
                .filter(p -> owner.equals(p.id(OWNER))).map(Ovs.Port::name).toList()).orElse(List.of()));
    }

    private static <T> T call(java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (LorisException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        ovs.close();
    }
}
