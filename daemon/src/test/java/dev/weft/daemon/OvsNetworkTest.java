package dev.weft.daemon;

import dev.weft.linux.Shell;
import dev.weft.linux.netns.Netns;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.testkit.OpenVswitch;
import dev.weft.testkit.RunDir;
import dev.weft.testkit.SimulatedHost;
import dev.weft.testkit.SimulatedHosts;
import dev.weft.testkit.WeftdProcess;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.weft.daemon.LorisProcess.loris;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * weftd and loris on one host's Open vSwitch: loris connects a weft container by name (through
 * weftd's API), and a weft network of the ovs driver puts another weft container in the same pod.
 */
class OvsNetworkTest {

    static String api(WeftdProcess weftd, String method, String path, String body) {
        List<String> argv = new ArrayList<>(List.of("curl", "-sS", "--unix-socket", weftd.socket().toString(), "-X", method));
        if (body != null) {
            argv.addAll(List.of("-H", "Content-Type: application/json", "-d", body));
        }
        argv.add("http://weft" + path);
        return Shell.run(argv.toArray(String[]::new));
    }

    static long pid(WeftdProcess weftd, String name) {
        return Long.parseLong(api(weftd, "GET", "/v1/containers/" + name, null).replaceAll("(?s).*\"Pid\"\\s*:\\s*(\\d+).*", "$1"));
    }

    static List<String> addresses(long pid, String ifname) throws Exception {
        try (Netns ns = Netns.open(Path.of("/proc", Long.toString(pid), "ns", "net"))) {
            return ns.call(() -> {
                try (Rtnetlink nl = Rtnetlink.open()) {
                    return nl.addresses().list(ifname).stream().map(a -> a.prefix().toString()).toList();
                }
            });
        }
    }

    @Test
    void weftContainersShareALorisPod() throws Exception {
        try (SimulatedHosts hosts = SimulatedHosts.create(1); RunDir dir = new RunDir()) {
            SimulatedHost h = hosts.get(0);
            try (OpenVswitch ovs = OpenVswitch.start(h, true); WeftdProcess weftd = WeftdProcess.start(h, dir.path())) {
                loris(h, ovs, "init");
                assertThat(api(weftd, "POST", "/v1/containers/create", "{\"Name\": \"web1\", \"Cmd\": [\"sleep\", \"600\"]}")).contains("web1");
                assertThat(loris(h, ovs, "-H", "unix://" + weftd.socket(), "connect", "web1", "198.51.100.31/24", "3"))
                        .startsWith("web1 eth1 pod 3 198.51.100.31/24");
                assertThat(addresses(pid(weftd, "web1"), "eth1")).contains("198.51.100.31/24");

                String bad = api(weftd, "POST", "/v1/networks/create", "{\"Name\": \"p0\", \"Driver\": \"ovs\", \"Options\": {\"pod\": \"0\"}}");
                assertThat(bad).contains("option pod must be a pod number 1-4093");
                assertThat(api(weftd, "POST", "/v1/networks/create", "{\"Name\": \"p3\", \"Driver\": \"ovs\", \"Options\": {\"pod\": \"3\","
                        + " \"ovs_db\": \"" + ovs.dbUrl() + "\"}, \"IPAM\": {\"Config\": [{\"Subnet\": \"198.51.100.0/24\"}]}}")).contains("Id");
                assertThat(api(weftd, "POST", "/v1/containers/create",
                        "{\"Name\": \"web2\", \"Cmd\": [\"sleep\", \"600\"], \"Networks\": [\"p3\"]}")).contains("web2");
                long web2 = pid(weftd, "web2");
                assertThat(addresses(web2, "eth0")).anyMatch(a -> a.startsWith("198.51.100."));
                assertThat(Shell.run("nsenter", "--net=/proc/" + web2 + "/ns/net", "ping", "-c", "1", "-W", "2", "198.51.100.31"))
                        .contains("1 received");
                assertThat(loris(h, ovs, "status")).contains("weft:").contains(" 3 ");

                api(weftd, "DELETE", "/v1/containers/web2?force=true", null);
                assertThat(ovs.vsctl("--bare", "--columns=name", "find", "port", "external_ids:loris-owner=weft").trim())
                        .as("the ovs driver's port went with its endpoint").isEmpty();
                api(weftd, "DELETE", "/v1/networks/p3", null);
                api(weftd, "DELETE", "/v1/containers/web1?force=true", null);
                loris(h, ovs, "cleanup");
            }
        }
    }
}
