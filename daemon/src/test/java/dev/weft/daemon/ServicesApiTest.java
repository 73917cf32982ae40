package dev.weft.daemon;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;


import static org.assertj.core.api.Assertions.assertThat;

/** The quick start's single-host half over the API: publish svc1.dev, attach it, reach it by IP and by name. */
class ServicesApiTest {
    private DaemonFixture daemon;
    private Weftd weftd;
    private ApiClient api;

    @BeforeEach
    void start() throws Exception {
        daemon = new DaemonFixture("svc");
        weftd = daemon.weftd;
        api = daemon.api;
        api.call("POST", "/v1/networks/create", "{\"Name\": \"dev\", \"IPAM\": {\"Config\": [{\"Subnet\": \"192.0.2.0/24\"}]}}");
    }

    @AfterEach
    void stop() throws Exception {
        daemon.close();
    }

    private String container(String id) throws Exception {
        return api.call("POST", "/v1/sandboxes/create", "{\"ContainerID\": \"" + id + "\"}").body().path("Key").asText();
    }

    private static boolean ping(String netns, String ip) throws Exception {
        Process p = new ProcessBuilder("nsenter", "--net=" + netns, "ping", "-c", "1", "-W", "1", ip)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor() == 0;
    }

    @Test
    void publishAttachResolveAndUnpublish() throws Exception {
        var published = api.call("POST", "/v1/services/publish", "{\"Name\": \"svc1\", \"Network\": \"dev\", \"Aliases\": [\"web\"]}");
        assertThat(published.status()).isEqualTo(201);
        String ip = published.body().path("IPv4Address").asText().split("/")[0];
        assertThat(published.body().path("Container").isNull()).isTrue();
        container("c1");
        String c2 = container("c2");
        assertThat(api.call("POST", "/v1/services/svc1.dev/attach", "{\"Container\": \"c1\"}").status()).isEqualTo(200);
        assertThat(api.call("POST", "/v1/services/publish", "{\"Name\": \"svc2\", \"Network\": \"dev\"}").status()).isEqualTo(201);
        assertThat(api.call("POST", "/v1/services/svc2.dev/attach", "{\"Container\": \"c2\"}").status()).isEqualTo(200);

        assertThat(ping(c2, ip)).as("by IP").isTrue();
        for (String name : new String[] {"svc1.", "svc1.dev.", "web."}) {
            assertThat(DnsQuery.answers(DnsQuery.query(c2, name, Type.A, false))).as(name).containsExactly(ip);
        }
        var info = api.call("GET", "/v1/services/svc1.dev", null).body();
        assertThat(info.path("Container").asText()).isEqualTo("c1");
        assertThat(api.call("GET", "/v1/services?network=dev", null).body()).hasSize(2);

        var busy = api.call("DELETE", "/v1/services/svc1.dev", null);
        assertThat(busy.status()).isEqualTo(409);
        assertThat(busy.message()).isEqualTo("service svc1.dev is attached to container c1; detach it first or use force");
        assertThat(api.call("POST", "/v1/services/svc1.dev/detach", "{\"Container\": \"c1\"}").status()).isEqualTo(200);
        assertThat(DnsQuery.query(c2, "svc1.", Type.A, false).getRcode()).as("a detached service is not resolved")
                .isEqualTo(Rcode.NXDOMAIN);
        assertThat(api.call("DELETE", "/v1/services/svc1.dev", null).status()).isEqualTo(204);
        assertThat(api.call("DELETE", "/v1/services/svc2.dev?force=true", null).status()).isEqualTo(204);
        assertThat(api.call("GET", "/v1/services", null).body()).isEmpty();
    }

    @Test
    void badServiceRequestsAreClear() throws Exception {
        container("c1");
        api.call("POST", "/v1/services/publish", "{\"Name\": \"svc1\", \"Network\": \"dev\"}");
        assertThat(api.call("POST", "/v1/services/publish", "{\"Name\": \"svc1\", \"Network\": \"dev\"}").message())
                .isEqualTo("service svc1.dev is already published");
        assertThat(api.call("POST", "/v1/services/publish", "{\"Name\": \"svc9\", \"Network\": \"nope\"}").status()).isEqualTo(404);
        assertThat(api.call("POST", "/v1/services/publish", "{\"Name\": \"a.b\", \"Network\": \"dev\"}").status()).isEqualTo(400);
        assertThat(api.call("GET", "/v1/services/nodot", null).message()).startsWith("invalid service \"nodot\"");
        assertThat(api.call("GET", "/v1/services/svc9.dev", null).message()).isEqualTo("no service svc9.dev");
        assertThat(api.call("POST", "/v1/services/svc1.dev/attach", "{\"Container\": \"ghost\"}").message())
                .isEqualTo("no such container: ghost");
        api.call("POST", "/v1/services/svc1.dev/attach", "{\"Container\": \"c1\"}");
        assertThat(api.call("POST", "/v1/services/svc1.dev/attach", "{\"Container\": \"c1\"}").status()).isEqualTo(409);
        assertThat(api.call("POST", "/v1/services/svc1.dev/detach", "{\"Container\": \"c2\"}").status()).isEqualTo(404);
    }
}
