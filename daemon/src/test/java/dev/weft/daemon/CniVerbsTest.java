package dev.weft.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.linux.TestNamespaces;
import dev.weft.linux.netns.Netns;
import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.testkit.RunDir;
import dev.weft.testkit.SimulatedHost;
import dev.weft.testkit.SimulatedHosts;
import dev.weft.testkit.WeftdProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Each CNI verb against the specification, through weft's plugin executable (the C shim) and a
 * weftd process in a simulated host, with container namespaces made by the test as a runtime
 * makes them: results and errors in the specification's form, ping between attachments, two
 * networks kept apart, DEL of the unknown, CHECK, GC with valid attachments, STATUS with weftd up
 * and down, and DEL after weftd was killed between ADD and DEL.
 */
class CniVerbsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static SimulatedHosts hosts;
    private static RunDir dir;
    private static WeftdProcess weftd;
    private static CniShim shim;
    private final TestNamespaces containers = new TestNamespaces();

    @BeforeAll
    static void start() {
        assumeTrue(CniShim.built(), "the shim is built by the cni module");
        dir = new RunDir();
        hosts = SimulatedHosts.create(1);
        weftd = WeftdProcess.start(hosts.get(0), dir.path().resolve("weft"));
        shim = new CniShim(hosts.get(0), weftd.socket());
    }

    @AfterAll
    static void stop() {
        if (weftd != null) {
            weftd.close();
        }
        if (hosts != null) {
            hosts.close();
        }
        if (dir != null) {
            dir.close();
        }
    }

    @AfterEach
    void removeContainersAndNetworks() throws Exception {
        containers.close();
        try (ApiClient api = new ApiClient(weftd.socket())) { // CNI networks stay after their attachments, as a runtime's do
            api.call("POST", "/v1/networks/prune", "{}");
        }
    }

    static String config(String version, String name, String subnet) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"" + name + "\",\"type\":\"weft\",\"subnet\":\"" + subnet + "\"}";
    }

    private Path container(String label) {
        return containers.create(label).path();
    }

    private static SimulatedHost host() {
        return hosts.get(0);
    }

    /** The veths weft made in the host for its endpoints. */
    private static List<String> veths() {
        try (Rtnetlink r = host().rtnetlink()) {
            return r.links().list().stream().map(Link::name).filter(n -> n.startsWith("wv")).toList();
        }
    }

    static boolean ping(Path from, String address) throws Exception {
        Process p = new ProcessBuilder("nsenter", "--net=" + from, "ping", "-c", "1", "-W", "2", address)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor() == 0;
    }

    private static String address(JsonNode result) {
        String a = result.path("ips").get(0).path("address").asText();
        return a.substring(0, a.indexOf('/'));
    }

    @Test
    void addGivesTheSpecsResultAndContainersOfOneNetworkReachEachOther() throws Exception {
        String cfg = config("1.1.0", "wtcv1", "198.51.100.0/24");
        Path c1 = container("c");
        Path c2 = container("c");
        JsonNode r1 = shim.add(cfg, "ctr1", c1).ok();
        JsonNode r2 = shim.add(cfg, "ctr2", c2).ok();
        assertThat(r1.path("cniVersion").asText()).isEqualTo("1.1.0");
        JsonNode inside = r1.path("interfaces").get(1);
        assertThat(inside.path("name").asText()).isEqualTo("eth0");
        assertThat(inside.path("sandbox").asText()).isEqualTo(c1.toString());
        assertThat(inside.path("mac").asText()).matches("([0-9a-f]{2}:){5}[0-9a-f]{2}");
        assertThat(r1.path("interfaces").get(0).has("sandbox")).isFalse();
        JsonNode ip = r1.path("ips").get(0);
        assertThat(ip.path("address").asText()).startsWith("198.51.100.").endsWith("/24");
        assertThat(ip.path("gateway").asText()).isEqualTo("198.51.100.1");
        assertThat(ip.path("interface").asInt()).isEqualTo(1);
        assertThat(ip.has("version")).as("1.0.0 and later have no version per IP").isFalse();
        assertThat(r1.path("routes").get(0).path("dst").asText()).isEqualTo("0.0.0.0/0");
        try (Netns ns = Netns.open(c1); Rtnetlink nl = Rtnetlink.open(ns)) {
            assertThat(nl.addresses().list("eth0")).anyMatch(a -> a.prefix().toString().equals(ip.path("address").asText()));
        }
        assertThat(ping(c1, address(r2))).isTrue();
        assertThat(ping(c2, address(r1))).isTrue();
        shim.del(cfg, "ctr1", c1).ok();
        shim.del(cfg, "ctr2", c2).ok();
        assertThat(veths()).isEmpty();
    }

    @Test
    void olderVersionsGetTheirResultForm() throws Exception {
        for (String version : List.of("0.3.0", "0.3.1", "0.4.0", "1.0.0")) {
            String cfg = config(version, "wtcv2", "198.51.100.0/24");
            Path c = container("c");
            JsonNode r = shim.add(cfg, "old" + version.replace(".", ""), c).ok();
            assertThat(r.path("cniVersion").asText()).isEqualTo(version);
            assertThat(r.path("ips").get(0).has("version")).isEqualTo(!version.equals("1.0.0"));
            if (!version.equals("1.0.0")) {
                assertThat(r.path("ips").get(0).path("version").asText()).isEqualTo("4");
            }
            shim.del(cfg, "old" + version.replace(".", ""), c).ok();
        }
        JsonNode v = shim.run(Map.of("CNI_COMMAND", "VERSION"), "{\"cniVersion\":\"0.4.0\"}").ok();
        assertThat(v.path("cniVersion").asText()).isEqualTo("0.4.0");
        assertThat(v.path("supportedVersions")).extracting(JsonNode::asText)
                .containsExactly("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0");
        shim.add(config("0.2.0", "wtcv2", "198.51.100.0/24"), "old", container("c")).error(1);
        shim.add(config("2.0.0", "wtcv2", "198.51.100.0/24"), "old", container("c")).error(1);
    }

    @Test
    void twoNetworksAreKeptApart() throws Exception {
        String a = config("1.1.0", "wtcva", "203.0.113.0/25");
        String b = config("1.1.0", "wtcvb", "203.0.113.128/25");
        Path c1 = container("c");
        Path c2 = container("c");
        shim.add(a, "isoa", c1).ok();
        JsonNode r2 = shim.add(b, "isob", c2).ok();
        assertThat(ping(c1, address(r2))).isFalse();
        shim.del(a, "isoa", c1).ok();
        shim.del(b, "isob", c2).ok();
    }

    @Test
    void delOfTheUnknownSucceedsAndDelIsRepeatable() throws Exception {
        String cfg = config("1.1.0", "wtcv3", "198.51.100.0/24");
        shim.del(cfg, "never-added", null).ok();
        shim.del(config("1.1.0", "wtcvnone", "198.51.100.0/24"), "never-added", container("c")).ok();
        Path c = container("c");
        shim.add(cfg, "twice", c).ok();
        assertThat(shim.del(cfg, "twice", c).ok().isNull()).as("DEL prints nothing").isTrue();
        shim.del(cfg, "twice", c).ok();
        shim.del(cfg, "twice", null).ok();
        assertThat(veths()).isEmpty();
    }

    @Test
    void addTwiceForOneAttachmentFailsAndChangesNothing() throws Exception {
        String cfg = config("1.1.0", "wtcv4", "198.51.100.0/24");
        Path c = container("c");
        JsonNode first = shim.add(cfg, "dup", c).ok();
        shim.add(cfg, "dup", c).error(102);
        assertThat(veths()).hasSize(1);
        assertThat(ping(c, first.path("ips").get(0).path("gateway").asText())).isTrue();
        shim.del(cfg, "dup", c).ok();
    }

    @Test
    void checkPassesAfterAddAndFailsWhenTheInterfaceIsGone() throws Exception {
        String cfg = config("1.1.0", "wtcv5", "198.51.100.0/24");
        Path c = container("c");
        JsonNode result = shim.add(cfg, "chk", c).ok();
        ObjectNode withPrev = (ObjectNode) JSON.readTree(cfg);
        withPrev.set("prevResult", result);
        shim.run(CniShim.env("CHECK", "chk", c, "eth0"), withPrev.toString()).ok();
        shim.run(CniShim.env("CHECK", "chk", c, "eth0"), cfg).error(7); // no prevResult
        shim.run(CniShim.env("CHECK", "nosuch", c, "eth0"), withPrev.toString()).error(100);
        ObjectNode old = withPrev.deepCopy().put("cniVersion", "0.3.1");
        shim.run(CniShim.env("CHECK", "chk", c, "eth0"), old.toString()).error(1); // CHECK came with 0.4.0
        try (Netns ns = Netns.open(c); Rtnetlink nl = Rtnetlink.open(ns)) {
            nl.links().setDown("eth0");
        }
        JsonNode e = shim.run(CniShim.env("CHECK", "chk", c, "eth0"), withPrev.toString()).error(100);
        assertThat(e.path("details").asText()).contains("down");
        shim.del(cfg, "chk", c).ok();
    }

    @Test
    void gcRemovesEveryAttachmentNotInTheValidList() throws Exception {
        String cfg = config("1.1.0", "wtcv6", "198.51.100.0/24");
        Path keep = container("c");
        Path drop1 = container("c");
        Path drop2 = container("c");
        shim.add(cfg, "keep", keep).ok();
        JsonNode d1 = shim.add(cfg, "drop1", drop1).ok();
        shim.add(cfg, "drop2", drop2).ok();
        ObjectNode gc = (ObjectNode) JSON.readTree(cfg);
        gc.putArray("cni.dev/valid-attachments").addObject().put("containerID", "keep").put("ifname", "eth0");
        shim.run(Map.of("CNI_COMMAND", "GC", "CNI_PATH", CniShim.CNI_PATH), gc.toString()).ok();
        assertThat(veths()).hasSize(1);
        try (ApiClient api = new ApiClient(weftd.socket())) {
            JsonNode net = api.call("GET", "/v1/networks/wtcv6", null).body();
            assertThat(net.path("Containers").size()).isEqualTo(1);
        }
        // the freed address can be had again (the runtime's "ips" capability asks for it)
        ObjectNode wish = (ObjectNode) JSON.readTree(cfg);
        wish.putObject("runtimeConfig").putArray("ips").add(d1.path("ips").get(0).path("address").asText());
        JsonNode again = shim.add(wish.toString(), "drop3", container("c")).ok();
        assertThat(address(again)).isEqualTo(address(d1));
        gc.put("cniVersion", "1.0.0");
        shim.run(Map.of("CNI_COMMAND", "GC", "CNI_PATH", CniShim.CNI_PATH), gc.toString()).error(1);
        shim.del(cfg, "keep", keep).ok();
        shim.del(cfg, "drop3", null).ok();
        assertThat(veths()).isEmpty();
    }

    @Test
    void badConfigurationGivesTheSpecsErrorAndChangesNothing() throws Exception {
        Path c = container("c");
        shim.add("{\"cniVersion\":\"1.1.0\",", "bad", c).error(6);
        shim.add("{\"cniVersion\":\"1.1.0\",\"type\":\"weft\"}", "bad", c).error(7);
        shim.add(config("1.1.0", "wtcvbad", "not-a-subnet"), "bad", c).error(7);
        shim.add("{\"cniVersion\":\"1.1.0\",\"name\":\"wtcvbad\",\"type\":\"weft\",\"driver\":\"nosuch\"}", "bad", c).error(7);
        shim.add("{\"cniVersion\":\"1.1.0\",\"name\":\"wtcvbad\",\"type\":\"weft\",\"driver\":\"macvlan\"}", "bad", c).error(7);
        String ok = config("1.1.0", "wtcvbad", "198.51.100.0/24");
        shim.run(Map.of("CNI_COMMAND", "ADD", "CNI_NETNS", c.toString(), "CNI_IFNAME", "eth0"), ok).error(4);
        shim.run(Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "x", "CNI_IFNAME", "eth0"), ok).error(4);
        shim.run(CniShim.env("ADD", "-bad", c, "eth0"), ok).error(4);
        shim.run(CniShim.env("ADD", "x", c, "eth0/1"), ok).error(4);
        shim.run(CniShim.env("NOSUCH", "x", c, "eth0"), ok).error(4);
        shim.run(CniShim.env("ADD", "x", Path.of("/nonexistent/netns"), "eth0"), ok).error(4);
        try (ApiClient api = new ApiClient(weftd.socket())) {
            assertThat(api.call("GET", "/v1/networks/wtcvbad", null).status()).as("no network was made").isEqualTo(404);
            assertThat(api.call("GET", "/v1/sandboxes", null).body().size()).as("no sandbox was left").isZero();
        }
        assertThat(veths()).isEmpty();
        try (Netns ns = Netns.open(c); Rtnetlink nl = Rtnetlink.open(ns)) {
            assertThat(nl.links().list()).extracting(Link::name).containsExactly("lo");
        }
    }

    @Test
    void statusAnswersAndWeftdKilledBetweenAddAndDelLeavesNothing() throws Exception {
        String cfg = config("1.1.0", "wtcv7", "198.51.100.0/24");
        String statusCfg = "{\"cniVersion\":\"1.1.0\",\"name\":\"wtcv7\",\"type\":\"weft\"}";
        shim.run(Map.of("CNI_COMMAND", "STATUS"), statusCfg).ok();
        Path c1 = container("c");
        Path c2 = container("c");
        JsonNode r1 = shim.add(cfg, "kill1", c1).ok();
        shim.add(cfg, "kill2", c2).ok();
        weftd.kill();
        try {
            shim.run(Map.of("CNI_COMMAND", "STATUS"), statusCfg).error(50);
            shim.add(cfg, "kill3", container("c")).error(11);
            assertThat(ping(c2, address(r1))).as("traffic does not need weftd").isTrue();
        } finally {
            weftd.restart();
        }
        shim.run(Map.of("CNI_COMMAND", "STATUS"), statusCfg).ok();
        shim.del(cfg, "kill1", c1).ok();
        containers.close(); // the runtime removed the namespace before its DEL
        shim.del(cfg, "kill2", c2).ok();
        assertThat(veths()).isEmpty();
        try (ApiClient api = new ApiClient(weftd.socket())) {
            assertThat(api.call("GET", "/v1/networks/wtcv7", null).body().path("Containers").size()).isZero();
            assertThat(api.call("GET", "/v1/sandboxes", null).body().size()).isZero();
        }
    }

    @Test
    void addressesFromADelegatedIpamPlugin() throws Exception {
        Path data = dir.path().resolve("host-local"); // Debian's host-local (plugins 1.1) speaks up to 1.0.0
        String cfg = "{\"cniVersion\":\"1.0.0\",\"name\":\"wtcv8\",\"type\":\"weft\",\"ipam\":{\"type\":\"host-local\","
                + "\"dataDir\":\"" + data + "\",\"ranges\":[[{\"subnet\":\"203.0.113.0/24\",\"rangeStart\":\"203.0.113.50\"}]]}}";
        Path c1 = container("c");
        Path c2 = container("c");
        JsonNode r1 = shim.add(cfg, "ipam1", c1).ok();
        JsonNode r2 = shim.add(cfg, "ipam2", c2).ok();
        assertThat(address(r1)).isEqualTo("203.0.113.50");
        assertThat(address(r2)).isEqualTo("203.0.113.51");
        assertThat(r1.path("ips").get(0).path("gateway").asText()).isEqualTo("203.0.113.1");
        assertThat(java.nio.file.Files.exists(data.resolve("wtcv8").resolve("203.0.113.50"))).as("host-local's reservation").isTrue();
        assertThat(ping(c1, "203.0.113.51")).isTrue();
        try (ApiClient api = new ApiClient(weftd.socket())) {
            JsonNode net = api.call("GET", "/v1/networks/wtcv8", null).body();
            assertThat(net.path("IPAM").path("Config").get(0).path("Subnet").asText()).isEqualTo("203.0.113.0/24");
        }
        ObjectNode withPrev = (ObjectNode) JSON.readTree(cfg);
        withPrev.set("prevResult", r1);
        shim.run(CniShim.env("CHECK", "ipam1", c1, "eth0"), withPrev.toString()).ok();
        shim.del(cfg, "ipam1", c1).ok();
        shim.del(cfg, "ipam2", c2).ok();
        assertThat(java.nio.file.Files.exists(data.resolve("wtcv8").resolve("203.0.113.50"))).as("released by DEL").isFalse();
        assertThat(veths()).isEmpty();
        String missing = cfg.replace("host-local", "wt-no-such-ipam");
        shim.add(missing, "ipam3", container("c")).error(7);
    }

    @Test
    void thePortMappingsCapabilityPublishesThroughWeft() throws Exception {
        Path c = container("c");
        Path www = java.nio.file.Files.createDirectories(dir.path().resolve("www"));
        java.nio.file.Files.writeString(www.resolve("index.html"), "hello from weft\n");
        ObjectNode cfg = (ObjectNode) JSON.readTree(config("1.1.0", "wtcv9", "198.51.100.0/24"));
        cfg.putObject("runtimeConfig").putArray("portMappings").addObject()
                .put("hostPort", 8088).put("containerPort", 80).put("protocol", "tcp");
        shim.add(cfg.toString(), "ports", c).ok();
        Process httpd = new ProcessBuilder("nsenter", "--net=" + c, DockerHost.BUSYBOX.toString(), "httpd", "-f", "-p", "80",
                "-h", www.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String url = "http://" + host().address().getHostAddress() + ":8088/index.html";
            String got = "";
            for (int i = 0; i < 50 && !got.contains("hello"); i++) {
                Thread.sleep(100);
                got = new String(new ProcessBuilder(host().command("curl", "-s", "-m", "2", url)).redirectErrorStream(true)
                        .start().getInputStream().readAllBytes());
            }
            assertThat(got).as("host port 8088 reaches the container's port 80: " + got).contains("hello from weft");
        } finally {
            httpd.destroy();
            httpd.waitFor();
        }
        shim.del(cfg.toString(), "ports", c).ok();
        shim.run(CniShim.env("ADD", "ports2", container("c"), "eth0"), cfg.put("cniVersion", "1.1.0").toString()).ok();
        shim.del(cfg.toString(), "ports2", null).ok(); // the port was free again for the next container
    }

    @Test
    void theReferenceBandwidthPluginChainsAfterWeft() throws Exception {
        String weftCfg = config("1.0.0", "wtcv10", "198.51.100.0/24"); // Debian's plugins 1.1 speak up to 1.0.0
        Path c = container("c");
        JsonNode result = shim.add(weftCfg, "bw", c).ok();
        String hostIf = result.path("interfaces").get(0).path("name").asText();
        ObjectNode bw = (ObjectNode) JSON.readTree("{\"cniVersion\":\"1.0.0\",\"name\":\"wtcv10\",\"type\":\"bandwidth\"}");
        bw.putObject("runtimeConfig").putObject("bandwidth").put("ingressRate", 1_000_000).put("ingressBurst", 100_000)
                .put("egressRate", 2_000_000).put("egressBurst", 100_000);
        bw.set("prevResult", result);
        JsonNode chained = shim.exec(CniShim.CNI_PATH + "/bandwidth", CniShim.env("ADD", "bw", c, "eth0"), bw.toString()).ok();
        assertThat(chained.path("ips")).isEqualTo(result.path("ips")); // weft's result handed on
        assertThat(host().exec("tc", "qdisc", "show", "dev", hostIf)).as("the rate limit on weft's host end").contains("tbf");
        shim.exec(CniShim.CNI_PATH + "/bandwidth", CniShim.env("DEL", "bw", c, "eth0"), bw.toString()).ok();
        shim.del(weftCfg, "bw", c).ok();
        assertThat(veths()).isEmpty();
    }

    @Test
    void aPrevResultIsHandedOnWithWeftsPartAppended() throws Exception {
        ObjectNode cfg = (ObjectNode) JSON.readTree(config("1.1.0", "wtcv11", "198.51.100.0/24"));
        cfg.set("prevResult", JSON.readTree("{\"cniVersion\":\"1.1.0\",\"interfaces\":[{\"name\":\"dummy0\"}],"
                + "\"ips\":[{\"address\":\"192.0.2.200/24\",\"interface\":0}],\"dns\":{\"nameservers\":[\"192.0.2.53\"]}}"));
        Path c = container("c");
        JsonNode r = shim.add(cfg.toString(), "prev", c).ok();
        assertThat(r.path("interfaces").get(0).path("name").asText()).isEqualTo("dummy0");
        assertThat(r.path("interfaces")).hasSize(3);
        assertThat(r.path("ips").get(0).path("address").asText()).isEqualTo("192.0.2.200/24");
        assertThat(r.path("ips").get(1).path("interface").asInt()).as("weft's IP points at weft's container interface")
                .isEqualTo(2);
        assertThat(r.path("interfaces").get(2).path("sandbox").asText()).isEqualTo(c.toString());
        assertThat(r.path("dns").path("nameservers").get(0).asText()).isEqualTo("192.0.2.53");
        shim.del(cfg.toString(), "prev", c).ok();
    }
}
