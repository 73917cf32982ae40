package dev.weft.daemon;

import dev.weft.linux.Shell;
import dev.weft.net.IpPrefix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * IPv6-only networks through the API (Docker's EnableIPv4: false, or its option
 * com.docker.network.enable_ipv4=false), with a subnet from the default IPv6 pools; the embedded
 * DNS answers AAAA for container names, and the containers reach each other at those addresses.
 */
class Ipv6NetworksApiTest {
    private DaemonFixture daemon;
    private ApiClient api;

    @BeforeEach
    void start() throws Exception {
        daemon = new DaemonFixture("ip6api");
        api = daemon.api;
    }

    @AfterEach
    void stop() throws Exception {
        daemon.close();
    }

    private String sandbox(String container, String network) throws Exception {
        String key = api.call("POST", "/v1/sandboxes/create", "{\"ContainerID\": \"" + container + "\"}").body()
                .path("Key").asText();
        assertThat(api.call("POST", "/v1/networks/" + network + "/connect", "{\"Container\": \"" + container + "\"}").status())
                .isEqualTo(200);
        return key;
    }

    @Test
    void anIpv6OnlyNetworkFromTheDefaultPoolResolvesNamesToIpv6() throws Exception {
        var created = api.call("POST", "/v1/networks/create", "{\"Name\": \"six\", \"EnableIPv4\": false, \"EnableIPv6\": true}");
        assertThat(created.status()).as(created.message()).isEqualTo(201);
        var inspect = api.call("GET", "/v1/networks/six", null).body();
        assertThat(inspect.path("EnableIPv4").asBoolean()).isFalse();
        assertThat(inspect.path("EnableIPv6").asBoolean()).isTrue();
        assertThat(inspect.path("IPAM").path("Config")).singleElement()
                .satisfies(c -> assertThat(c.path("Subnet").asText()).startsWith("fd").endsWith("::/64"));

        String a = sandbox("a", "six");
        sandbox("b", "six");
        var b = api.call("GET", "/v1/sandboxes/b", null).body().path("Networks").path("six");
        assertThat(b.path("IPv4Address").asText()).isEmpty();
        String b6 = b.path("IPv6Address").asText().split("/")[0];
        assertThat(api.call("GET", "/v1/networks/six", null).body().path("Containers").path("b").path("IPv6Address").asText())
                .as("inspect shows the IPv6 address").startsWith(b6 + "/");

        Message aaaa = DnsQuery.query(a, "b.", Type.AAAA, false);
        assertThat(aaaa.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(DnsQuery.answers(aaaa)).extracting(x -> IpPrefix.format(IpPrefix.parseAddress(x)))
                .containsExactly(IpPrefix.format(IpPrefix.parseAddress(b6)));
        assertThat(DnsQuery.answers(DnsQuery.query(a, "b.six.", Type.AAAA, false))).hasSize(1);
        assertThat(DnsQuery.answers(DnsQuery.query(a, "b.", Type.A, false))).as("no IPv4 address").isEmpty();
        String answered = DnsQuery.answers(aaaa).getFirst();
        assertThat(pings(a, answered)).as("a pings b at the address its name resolved to").isTrue();
    }

    private static boolean pings(String netns, String address) throws InterruptedException {
        for (int i = 0; i < 5; i++) { // neighbour discovery and DAD may take a moment at first
            try {
                Shell.run("nsenter", "--net=" + netns, "ping", "-c", "1", "-W", "1", address);
                return true;
            } catch (RuntimeException e) {
                Thread.sleep(300);
            }
        }
        return false;
    }

    @Test
    void dockersOptionSpellingWorksToo() throws Exception {
        var created = api.call("POST", "/v1/networks/create", "{\"Name\": \"opt\", \"EnableIPv6\": true, \"IPAM\": {\"Config\":"
                + " [{\"Subnet\": \"2001:db8:5::/64\"}]}, \"Options\": {\"com.docker.network.enable_ipv4\": \"false\"}}");
        assertThat(created.status()).as(created.message()).isEqualTo(201);
        var inspect = api.call("GET", "/v1/networks/opt", null).body();
        assertThat(inspect.path("EnableIPv4").asBoolean()).isFalse();
        assertThat(inspect.path("IPAM").path("Config")).singleElement()
                .satisfies(c -> assertThat(c.path("Subnet").asText()).isEqualTo("2001:db8:5::/64"));
    }

    @Test
    void badFamilyCombinationsAre400AndCreateNothing() throws Exception {
        var noFamily = api.call("POST", "/v1/networks/create", "{\"Name\": \"x\", \"EnableIPv4\": false}");
        assertThat(noFamily.status()).isEqualTo(400);
        assertThat(noFamily.message()).isEqualTo("network x would have no address family: IPv4 disabled (--ipv4=false) needs"
                + " IPv6 enabled (--ipv6)");
        var v4Subnet = api.call("POST", "/v1/networks/create", "{\"Name\": \"x\", \"EnableIPv4\": false, \"EnableIPv6\": true,"
                + " \"IPAM\": {\"Config\": [{\"Subnet\": \"192.0.2.0/24\"}]}}");
        assertThat(v4Subnet.status()).isEqualTo(400);
        assertThat(v4Subnet.message()).isEqualTo("IPv4 subnet 192.0.2.0/24 given but IPv4 is disabled for network x (--ipv4=false)");
        var disagree = api.call("POST", "/v1/networks/create", "{\"Name\": \"x\", \"EnableIPv4\": false, \"EnableIPv6\": true,"
                + " \"Options\": {\"com.docker.network.enable_ipv4\": \"true\"}}");
        assertThat(disagree.status()).isEqualTo(400);
        assertThat(disagree.message()).contains("EnableIPv4 is false but option com.docker.network.enable_ipv4 is true");
        assertThat(api.call("GET", "/v1/networks", null).body()).isEmpty();
    }
}
