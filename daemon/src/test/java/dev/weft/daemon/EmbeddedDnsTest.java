package dev.weft.daemon;

import dev.weft.daemon.kernel.HostKernel;

import dev.weft.linux.TestNamespaces;
import dev.weft.linux.netns.Netns;
import dev.weft.testkit.RunDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Type;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded DNS server answering at 127.0.0.11 inside sandboxes, queried from inside them over
 * UDP and TCP; a fake upstream resolver runs on 127.0.0.1:53 of weftd's (throwaway) host namespace.
 */
class EmbeddedDnsTest {
    private TestNamespaces namespaces;
    private RunDir runDir;
    private Weftd weftd;
    private ApiClient api;
    private FakeUpstream upstream;
    private Netns hostNs;

    @BeforeEach
    void start() throws Exception {
        namespaces = new TestNamespaces();
        runDir = new RunDir();
        Netns host = namespaces.create("dns");
        try (var nl = dev.weft.linux.rtnl.Rtnetlink.open(host)) {
            nl.links().setUp("lo");
        }
        upstream = new FakeUpstream(host, "127.0.0.1", "203.0.113.7");
        hostNs = host;
        Path resolv = runDir.path().resolve("host-resolv.conf");
        Files.writeString(resolv, "nameserver 127.0.0.1\nsearch corp.test\n");
        weftd = Weftd.start(new WeftdOptions(runDir.path().resolve("weft.sock"), runDir.path().resolve("data"),
                runDir.path().resolve("run"), "info", resolv), HostKernel.of(host));
        api = new ApiClient(weftd.socket());
        api.call("POST", "/v1/networks/create", "{\"Name\": \"dev\", \"IPAM\": {\"Config\": [{\"Subnet\": \"192.0.2.0/24\"}]}}");
        api.call("POST", "/v1/networks/create", "{\"Name\": \"other\", \"IPAM\": {\"Config\": [{\"Subnet\": \"198.51.100.0/24\"}]}}");
    }

    @AfterEach
    void stop() throws Exception {
        upstream.close();
        api.close();
        weftd.close();
        runDir.close();
        namespaces.close();
    }

    private String sandbox(String container, String... networks) throws Exception {
        return sandboxWith(container, "", networks);
    }

    private String sandboxWith(String container, String extra, String... networks) throws Exception {
        String key = api.call("POST", "/v1/sandboxes/create", "{\"ContainerID\": \"" + container + "\", \"Hostname\": \""
                + container + "-host\"" + extra + "}").body().path("Key").asText();
        for (String n : networks) {
            assertThat(api.call("POST", "/v1/networks/" + n + "/connect", "{\"Container\": \"" + container
                    + "\", \"EndpointConfig\": {\"Aliases\": [\"" + container + "-alias\"]}}").status()).isEqualTo(200);
        }
        return key;
    }

    @Test
    void containersResolveNamesOfTheirNetworksOnly() throws Exception {
        String web = sandbox("web", "dev");
        sandbox("db", "dev");
        String lonely = sandbox("lonely", "other");
        String ip = api.call("GET", "/v1/sandboxes/db", null).body().path("Networks").path("dev").path("IPv4Address")
                .asText().split("/")[0];

        for (String name : List.of("db.", "db.dev.", "db-alias.", "db-host.", "DB.")) {
            Message m = DnsQuery.query(web, name, Type.A, false);
            assertThat(m.getRcode()).as(name).isEqualTo(Rcode.NOERROR);
            assertThat(DnsQuery.answers(m)).as(name).containsExactly(ip);
        }
        assertThat(DnsQuery.answers(DnsQuery.query(web, "db.", Type.A, true))).as("over TCP").containsExactly(ip);
        Message none = DnsQuery.query(web, "db.", Type.AAAA, false);
        assertThat(none.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(DnsQuery.answers(none)).as("no IPv6 address: an empty answer").isEmpty();
        assertThat(DnsQuery.query(web, "nosuch.", Type.A, false).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(DnsQuery.query(lonely, "db.", Type.A, false).getRcode()).as("another network's name").isEqualTo(Rcode.NXDOMAIN);
        Message ptr = DnsQuery.query(web, ReverseMap.fromAddress(ip).toString(), Type.PTR, false);
        assertThat(DnsQuery.answers(ptr)).singleElement().satisfies(p -> assertThat(p).startsWith("db"));
    }

    @Test
    void otherNamesAreForwardedUpstreamAndRecordsFollowJoinsAndLeaves() throws Exception {
        String web = sandbox("web", "dev");
        assertThat(DnsQuery.answers(DnsQuery.query(web, "example.test.", Type.A, false))).containsExactly("203.0.113.7");
        assertThat(DnsQuery.query(web, "unknown.test.", Type.A, false).getRcode()).isEqualTo(Rcode.NXDOMAIN);

        assertThat(DnsQuery.query(web, "late.", Type.A, false).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        sandbox("late", "dev");
        assertThat(DnsQuery.answers(DnsQuery.query(web, "late.", Type.A, false))).hasSize(1);
        api.call("POST", "/v1/networks/dev/disconnect", "{\"Container\": \"late\"}");
        assertThat(DnsQuery.query(web, "late.", Type.A, false).getRcode()).isEqualTo(Rcode.NXDOMAIN);

        String resolv = Files.readString(runDir.path().resolve("run/sandboxes")
                .resolve(api.call("GET", "/v1/sandboxes/web", null).body().path("Id").asText()).resolve("resolv.conf"));
        assertThat(resolv).isEqualTo("nameserver 127.0.0.11\nsearch corp.test\noptions ndots:0\n");
    }

    /**
     * weftd restores the DNS servers of the sandboxes it finds after its API serves; a sandbox
     * created meanwhile waits for that restore, and every sandbox answers again.
     */
    @Test
    void afterARestartExistingSandboxesAnswerAgainAndANewOneAtOnce() throws Exception {
        String web = sandbox("web", "dev");
        sandbox("db", "dev");
        String ip = api.call("GET", "/v1/sandboxes/db", null).body().path("Networks").path("dev").path("IPv4Address")
                .asText().split("/")[0];
        api.close();
        weftd.close();
        weftd = Weftd.start(new WeftdOptions(runDir.path().resolve("weft.sock"), runDir.path().resolve("data"),
                runDir.path().resolve("run"), "info", runDir.path().resolve("host-resolv.conf")), HostKernel.of(hostNs));
        api = new ApiClient(weftd.socket());
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) { // restored behind the API, with no request asking for it
            try {
                assertThat(DnsQuery.answers(DnsQuery.query(web, "db.", Type.A, true))).as("a restored sandbox").containsExactly(ip);
                break;
            } catch (RuntimeException notYet) { // connection refused: not restored yet
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
                Thread.sleep(20);
            }
        }
        String late = sandbox("late", "dev");
        assertThat(DnsQuery.answers(DnsQuery.query(late, "db.", Type.A, true))).as("a sandbox made after the restart")
                .containsExactly(ip);
        assertThat(DnsQuery.answers(DnsQuery.query(web, "late.", Type.A, true))).as("a restored sandbox").hasSize(1);
        assertThat(DnsQuery.answers(DnsQuery.query(web, "db.", Type.A, false))).as("over UDP too").containsExactly(ip);
    }

    @Test
    void largeAnswersComeTruncatedOverUdpAndWholeOverTcpFromTheUpstream() throws Exception {
        String web = sandbox("web", "dev");
        Message udp = DnsQuery.query(web, "big.test.", Type.A, false);
        assertThat(udp.getHeader().getFlag(Flags.TC)).isTrue();
        Message tcp = DnsQuery.query(web, "big.test.", Type.A, true);
        assertThat(tcp.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(DnsQuery.answers(tcp)).hasSize(FakeUpstream.BIG_RECORDS).contains("203.0.113.1", "203.0.113.60");
    }

    @Test
    void aSandboxWithItsOwnDnsServersIsForwardedThereAndFailsOverBetweenThem() throws Exception {
        try (FakeUpstream own = new FakeUpstream(hostNs, "127.0.0.2", "203.0.113.99")) {
            // 127.0.0.3 has no server: the port is unreachable, and the next server is asked
            String custom = sandboxWith("custom", ", \"Dns\": [\"127.0.0.3\", \"127.0.0.2\"]", "dev");
            String plain = sandbox("plain", "dev");
            assertThat(DnsQuery.answers(DnsQuery.query(custom, "example.test.", Type.A, false))).containsExactly("203.0.113.99");
            assertThat(DnsQuery.answers(DnsQuery.query(plain, "example.test.", Type.A, false))).containsExactly("203.0.113.7");
            assertThat(DnsQuery.answers(DnsQuery.query(custom, "plain.", Type.A, false))).as("own names still local").hasSize(1);
        }
        assertThat(api.call("POST", "/v1/sandboxes/create", "{\"ContainerID\": \"bad\", \"Dns\": [\"resolver\"]}").status())
                .isEqualTo(400);
    }
}
