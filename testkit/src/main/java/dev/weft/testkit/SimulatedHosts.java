package dev.weft.testkit;

import dev.weft.linux.TestNamespaces;
import dev.weft.linux.netns.Netns;
import dev.weft.net.IpPrefix;
import dev.weft.linux.rtnl.LinkSpec;
import dev.weft.linux.rtnl.Rtnetlink;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * N simulated hosts for multi-host tests: one network namespace per host, all joined by a bridge
 * that lives in an underlay namespace of its own, each host with an "eth0" address in one
 * documentation subnet (192.0.2.0/24 by default: host i gets .(i+1)). Nothing is created in the
 * test machine's own namespace. Close it (try-with-resources or @AfterEach) and every namespace
 * and link goes, also when the test failed halfway; a failure while building cleans up too.
 */
public final class SimulatedHosts implements AutoCloseable {
    public static final String HOST_INTERFACE = "eth0";
    private static final String UNDERLAY_BRIDGE = "br0";

    private final TestNamespaces namespaces = new TestNamespaces();
    private final List<SimulatedHost> hosts = new ArrayList<>();
    private final Netns underlay;

    private SimulatedHosts(int count, IpPrefix subnet, int mtu) {
        if (count < 1 || count > 200) {
            throw new IllegalArgumentException("host count " + count + " is out of range 1-200");
        }
        if (!(subnet.address() instanceof Inet4Address) || subnet.length() > 24) {
            throw new IllegalArgumentException("the underlay subnet must be IPv4 and /24 or larger: " + subnet);
        }
        String run = TestNamespaces.uniqueName("");
        underlay = namespaces.create("u");
        try (Rtnetlink u = Rtnetlink.open(underlay)) {
            u.links().setUp("lo");
            u.links().create(new LinkSpec.Bridge(UNDERLAY_BRIDGE, mtu, null));
            u.links().setUp(UNDERLAY_BRIDGE);
            for (int i = 0; i < count; i++) {
                Netns ns = namespaces.create("h" + i);
                InetAddress address = offset(subnet.address(), i + 1);
                String port = "h" + i;
                u.links().create(new LinkSpec.Veth(port, HOST_INTERFACE, ns, mtu, null, null));
                u.links().setMaster(port, UNDERLAY_BRIDGE);
                u.links().setUp(port);
                try (Rtnetlink h = Rtnetlink.open(ns)) {
                    h.links().setUp("lo");
                    h.addresses().add(HOST_INTERFACE, new IpPrefix(address, subnet.length()));
                    h.links().setUp(HOST_INTERFACE);
                }
                hosts.add(new SimulatedHost(i, ns, address, new IpPrefix(subnet.address(), subnet.length()), run));
            }
        } catch (RuntimeException e) {
            try {
                namespaces.close();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** {@code count} hosts on 192.0.2.0/24 with MTU 1500. */
    public static SimulatedHosts create(int count) {
        return create(count, IpPrefix.parse("192.0.2.0/24"), 1500);
    }

    public static SimulatedHosts create(int count, IpPrefix subnet, int mtu) {
        return new SimulatedHosts(count, subnet, mtu);
    }

    public List<SimulatedHost> hosts() {
        return List.copyOf(hosts);
    }

    public SimulatedHost get(int i) {
        return hosts.get(i);
    }

    public int size() {
        return hosts.size();
    }

    /** The namespace holding the underlay bridge (for captures or cutting a host's cable). */
    public Netns underlay() {
        return underlay;
    }

    private static InetAddress offset(InetAddress base, int n) {
        byte[] b = base.getAddress();
        int v = ((b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff)) + n;
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Deletes every namespace (and with them every link) the fixture made. */
    @Override
    public void close() {
        hosts.clear();
        namespaces.close();
    }
}
