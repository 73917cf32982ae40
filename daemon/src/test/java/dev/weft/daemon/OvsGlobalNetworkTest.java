package dev.weft.daemon;

import dev.weft.linux.Shell;
import dev.weft.linux.ethtool.Ethtool;
import dev.weft.linux.netns.Netns;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.testkit.OpenVswitch;
import dev.weft.testkit.RunDir;
import dev.weft.testkit.SimulatedHost;
import dev.weft.testkit.SimulatedHosts;
import dev.weft.testkit.StoreServer;
import dev.weft.testkit.WeftdProcess;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static dev.weft.daemon.LorisProcess.loris;
import static dev.weft.daemon.OvsNetworkTest.addresses;
import static dev.weft.daemon.OvsNetworkTest.api;
import static dev.weft.daemon.OvsNetworkTest.pid;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ovs driver in global scope: two hosts, each with its own Open vSwitch (after {@code loris init},
 * no {@code loris cluster}) and a weftd sharing etcd on a third host. The tunnel mesh follows the live
 * hosts in the store, containers of one ovs network on both hosts reach each other, a MAC address used
 * in a pod on one host is refused in that pod on the other, and a host that leaves loses its tunnel.
 */
class OvsGlobalNetworkTest {
    private static final String TUNNEL_TO_HOST_1 = "lxc0000202"; // VXLAN to 192.0.2.2

    @Test
    void theTunnelMeshFollowsTheLiveHostsAndAMacIsUniqueInAPodAcrossHosts() throws Exception {
        try (SimulatedHosts hosts = SimulatedHosts.create(3); RunDir dir = new RunDir();
             StoreServer etcd = StoreServer.etcd(hosts.get(2), dir.path().resolve("etcd"))) {
            // the store host's underlay is a veth: its TCP leaves with checksums for "hardware" to fill, which
            // the userspace datapath carrying hosts 0 and 1's addresses (after loris init) never fills in
            Ethtool.setTxChecksum(hosts.get(2).netns(), "eth0", false);
            List<OpenVswitch> ovs = new ArrayList<>();
            List<WeftdProcess> weftd = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    SimulatedHost h = hosts.get(i);
                    ovs.add(OpenVswitch.start(h, true));
                    loris(h, ovs.get(i), "init");
                    weftd.add(WeftdProcess.start(h, dir.path().resolve("h" + i), Map.of("OVS_RUNDIR", ovs.get(i).dir().toString()),
                            "--kv-store", etcd.url(), "--advertise", h.address().getHostAddress()));
                }
                run(weftd, ovs, hosts);
            } finally {
                weftd.forEach(WeftdProcess::close);
                for (int i = 0; i < ovs.size(); i++) {
                    try {
                        loris(hosts.get(i), ovs.get(i), "cleanup");
                    } finally {
                        ovs.get(i).close();
                    }
                }
            }
        }
    }

    private static void run(List<WeftdProcess> weftd, List<OpenVswitch> ovs, SimulatedHosts hosts) throws Exception {
        WeftdProcess w0 = weftd.get(0);
        WeftdProcess w1 = weftd.get(1);
        assertThat(api(w0, "POST", "/v1/networks/create", "{\"Name\": \"g7\", \"Driver\": \"ovs\", \"Options\": {\"pod\": \"7\"},"
                + " \"IPAM\": {\"Config\": [{\"Subnet\": \"198.51.100.0/24\"}]}}")).contains("Id");
        assertThat(eventually(20, () -> api(w1, "GET", "/v1/networks/g7", null).contains("\"global\"")))
                .as("the network reaches host 1 as a global one").isTrue();
        assertThat(api(w0, "POST", "/v1/containers/create", "{\"Name\": \"a\", \"Cmd\": [\"sleep\", \"600\"], \"Networks\": [\"g7\"]}"))
                .contains("a");
        assertThat(api(w1, "POST", "/v1/containers/create", "{\"Name\": \"b\", \"Cmd\": [\"sleep\", \"600\"], \"Networks\": [\"g7\"]}"))
                .contains("b");
        long a = pid(w0, "a");
        String bAddress = addresses(pid(w1, "b"), "eth0").getFirst().split("/")[0];
        assertThat(eventually(30, () -> ping(a, bAddress))).as("a on host 0 reaches b on host 1: " + ovs.get(0).vsctl("show")).isTrue();
        assertThat(tcp(pid(w1, "b"), bAddress, a)).as("TCP from host 0's container to host 1's").isEqualTo("HELLO");
        assertThat(ovs.get(0).vsctl("list-ports", "loris0")).contains(TUNNEL_TO_HOST_1);
        assertThat(ovs.get(1).vsctl("list-ports", "loris0")).contains("lxc0000201");

        // the same MAC in pod 7 through another network, on the other host: refused, nothing left
        assertThat(api(w1, "POST", "/v1/networks/create", "{\"Name\": \"g7b\", \"Driver\": \"ovs\", \"Options\": {\"pod\": \"7\"},"
                + " \"IPAM\": {\"Config\": [{\"Subnet\": \"203.0.113.0/24\"}]}}")).contains("Id");
        assertThat(api(w1, "POST", "/v1/containers/create", "{\"Name\": \"c\", \"Cmd\": [\"sleep\", \"600\"]}")).contains("c");
        String aMac = mac(a);
        String refused = api(w1, "POST", "/v1/networks/g7b/connect", "{\"Container\": \"c\", \"EndpointConfig\": {\"MacAddress\": \"" + aMac + "\"}}");
        assertThat(refused).contains("MAC address " + aMac + " is already used in pod 7").contains("on host 192.0.2.1");
        assertThat(ovs.get(1).vsctl("--bare", "--columns=name", "find", "port", "external_ids:loris-owner=weft").trim().split("\\s+"))
                .as("only b's port on host 1").hasSize(1);
        assertThat(api(w1, "POST", "/v1/networks/g7b/connect", "{\"Container\": \"c\", \"EndpointConfig\": {\"MacAddress\": \"02:42:cb:00:71:63\"}}"))
                .doesNotContain("message");

        api(w1, "DELETE", "/v1/containers/c?force=true", null);
        api(w1, "DELETE", "/v1/containers/b?force=true", null);

        // host 1 leaves (its weftd stops, its session in etcd ends): host 0's tunnel to it goes
        w1.terminate();
        assertThat(eventually(30, () -> !ovs.get(0).vsctl("list-ports", "loris0").contains(TUNNEL_TO_HOST_1)))
                .as("host 0's tunnel to host 1 is removed once host 1 has left").isTrue();
        api(w0, "DELETE", "/v1/containers/a?force=true", null);
    }

    private static boolean ping(long pid, String address) {
        return Shell.run("nsenter", "--net=/proc/" + pid + "/ns/net", "sh", "-c", "ping -c 1 -W 1 " + address + " || true")
                .contains("1 received");
    }

    /** A listener in {@code serverPid}'s namespace on {@code address}; a client in {@code clientPid}'s sends "hello"; returns the echo. */
    private static String tcp(long serverPid, String address, long clientPid) throws Exception {
        try (Netns server = netns(serverPid); Netns client = netns(clientPid);
             ServerSocket listener = server.call(() -> new ServerSocket(5301, 1, InetAddress.getByName(address)))) {
            listener.setSoTimeout(5000);
            CompletableFuture<Void> echo = CompletableFuture.runAsync(() -> {
                try (Socket s = listener.accept()) {
                    s.getOutputStream().write(new String(s.getInputStream().readNBytes(5), StandardCharsets.US_ASCII)
                            .toUpperCase().getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            String reply = client.call(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(address, 5301), 5000);
                    s.setSoTimeout(5000);
                    s.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
                    return new String(s.getInputStream().readNBytes(5), StandardCharsets.US_ASCII);
                } catch (IOException e) {
                    return "no answer: " + e.getMessage();
                }
            });
            echo.get(10, TimeUnit.SECONDS);
            return reply;
        }
    }

    private static Netns netns(long pid) {
        return Netns.open(Path.of("/proc", Long.toString(pid), "ns", "net"));
    }

    private static String mac(long pid) throws Exception {
        try (Netns ns = netns(pid)) {
            return ns.call(() -> {
                try (Rtnetlink nl = Rtnetlink.open()) {
                    return nl.links().get("eth0").mac().toString();
                }
            });
        }
    }

    private static boolean eventually(int seconds, BooleanSupplier check) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (check.getAsBoolean()) {
                return true;
            }
            Thread.sleep(250);
        }
        return false;
    }
}
