package dev.weft.daemon;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad input is a 4xx naming the field, never a 500 or a reset (issue 19, cases 2, 3 and 6). */
class ApiInputTest {
    private DaemonFixture daemon;
    private ApiClient api;

    @BeforeEach
    void start() throws Exception {
        daemon = new DaemonFixture("inp", true);
        api = daemon.api;
    }

    @AfterEach
    void stop() throws Exception {
        daemon.close();
    }

    private void refused(String path, String body, int status, String message) throws Exception {
        var r = api.call("POST", path, body);
        assertThat(r.status()).as(body + " -> " + r.body()).isEqualTo(status);
        assertThat(r.message()).isEqualTo(message);
    }

    @Test
    void nullsInOptionsLabelsAndListsAre400sNamingTheField() throws Exception {
        refused("/v1/networks/create", "{\"Name\":\"a2\",\"Options\":{\"com.docker.network.driver.mtu\":null}}", 400,
                "field Options.com.docker.network.driver.mtu: null is not allowed (give a string)");
        refused("/v1/networks/create", "{\"Name\":\"a3\",\"Options\":{\"name\":null}}", 400,
                "field Options.name: null is not allowed (give a string)");
        refused("/v1/networks/create", "{\"Name\":\"a4\",\"Labels\":{\"k\":null}}", 400,
                "field Labels.k: null is not allowed (give a string)");
        refused("/v1/networks/create", "{\"Name\":\"a5\",\"IPAM\":{\"Config\":[{\"Subnet\":\"198.51.100.0/24\","
                + "\"AuxiliaryAddresses\":{\"r\":null}}]}}", 400, "field IPAM.Config[0].AuxiliaryAddresses.r: null is not allowed (give a string)");
        refused("/v1/networks/create", "{\"Name\":\"a7\",\"IPAM\":{\"Config\":[{\"Subnet\":\"198.51.100.0/24\","
                + "\"AuxiliaryAddresses\":{\"r\":\" \"}}]}}", 400, "field AuxiliaryAddresses.r: needs an address");
        refused("/v1/networks/create", "{\"Name\":\"a6\",\"IPAM\":{\"Config\":[null]}}", 400,
                "field IPAM.Config[0]: null is not allowed");
        refused("/v1/containers/create", "{\"Name\":\"c\",\"Cmd\":[\"sleep\",null]}", 400, "field Cmd[1]: null is not allowed");
        refused("/v1/sandboxes/create", "{\"ContainerID\":\"s\",\"Dns\":[null]}", 400, "field Dns[0]: null is not allowed");
        assertThat(api.call("GET", "/v1/networks", null).body()).isEmpty();
    }

    @Test
    void oddNamesAndOutOfRangeNumbersAre400s() throws Exception {
        assertThat(api.call("POST", "/v1/networks/create", "{\"Name\":\"a2\\n\"}").status()).isEqualTo(400);
        assertThat(api.call("POST", "/v1/networks/create", "{\"Name\":\"a\\u0000b\"}").status()).isEqualTo(400);
        refused("/v1/networks/create", "{\"Name\":\"m\",\"Options\":{\"com.docker.network.driver.mtu\":\"99999999999\"}}", 400,
                "option com.docker.network.driver.mtu must be a number from 68 to 65535, not \"99999999999\"");
        refused("/v1/networks/create", "{\"Name\":\"g\",\"Options\":{\"com.docker.network.bridge.gateway_mode_ipv4\":\"nated\"}}",
                400, "option com.docker.network.bridge.gateway_mode_ipv4 must be one of nat, nat-unprotected, routed, isolated,"
                        + " not \"nated\"");
        refused("/v1/containers/create", "{\"Name\":\"web\\n\",\"Cmd\":[\"true\"]}", 400,
                "field Name: invalid container name \"web\\n\": use 1 to 128 letters, digits, '_', '.' or '-', starting with a letter or digit");
        assertThat(api.call("POST", "/v1/containers/create", "{\"Name\":\"p\",\"Ports\":[\"99999:80\"],\"Cmd\":[\"true\"]}")
                .status()).isEqualTo(400);
        assertThat(api.call("POST", "/v1/containers/create", "{\"Name\":\"z\",\"Cmd\":[\"a\\u0000\"]}").status()).isEqualTo(400);
        assertThat(api.call("POST", "/v1/networks/create", "{\"Name\":\"d\",\"IPAM\":{\"Driver\":\"a\\u0000b\"}}").status())
                .as("a plugin name with a NUL (found by ApiFuzzTest)").isEqualTo(400);
        assertThat(api.call("POST", "/v1/networks/create", "{\"Name\":\"d\",\"Driver\":\"x\\ny\"}").status()).isEqualTo(400);
        assertThat(api.call("GET", "/v1/sandboxes", null).body()).isEmpty();
        assertThat(api.call("GET", "/v1/networks", null).body()).isEmpty();
    }

    @Test
    void aContainerNameDockerAcceptsGetsAValidHostnameAndBadHostnamesAreRefusedFirst() throws Exception {
        assertThat(api.call("POST", "/v1/networks/create", "{\"Name\":\"dev\",\"IPAM\":{\"Config\":[{\"Subnet\":\"198.51.100.0/24\"}]}}")
                .status()).isEqualTo(201);
        var web = api.call("POST", "/v1/containers/create", "{\"Name\":\"Web_1\",\"Networks\":[\"dev\"],\"Cmd\":[\"sleep\",\"300\"]}");
        assertThat(web.status()).as(web.body().toString()).isEqualTo(201);
        assertThat(web.body().path("Hostname").asText()).isEqualTo("Web-1");
        var odd = api.call("POST", "/v1/containers/create", "{\"Name\":\"__\",\"Cmd\":[\"sleep\",\"300\"]}");
        assertThat(odd.status()).isEqualTo(400); // Docker refuses it too: names start with a letter or digit
        var under = api.call("POST", "/v1/containers/create", "{\"Name\":\"a__\",\"Cmd\":[\"sleep\",\"300\"]}");
        assertThat(under.body().path("Hostname").asText()).isEqualTo("a");
        refused("/v1/containers/create", "{\"Name\":\"h\",\"Hostname\":\"bad_host\",\"Networks\":[\"dev\"],\"Cmd\":[\"true\"]}", 400,
                "field Hostname: invalid hostname \"bad_host\": dot-separated labels of letters, digits and '-' (not first or last),"
                        + " at most 64 characters");
        refused("/v1/sandboxes/create", "{\"ContainerID\":\"s\",\"Hostname\":\"-x\"}", 400,
                "field Hostname: invalid hostname \"-x\": dot-separated labels of letters, digits and '-' (not first or last),"
                        + " at most 64 characters");
        assertThat(api.call("GET", "/v1/sandboxes", null).body()).as("nothing made for the refused ones").hasSize(2);
    }

    @Test
    void aRefusedMethodWithABodyGetsIts405WithoutAReset() throws Exception {
        byte[] body = ("{\"Name\":\"" + "x".repeat(300_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        Path socket = daemon.weftd.socket();
        for (String[] call : new String[][] {{"GET", "/v1/networks/create"}, {"PUT", "/v1/networks/create"},
                {"PATCH", "/v1/containers/create"}, {"PUT", "/v1/networks/x/connect"}, {"POST", "/v1/networks/x"},
                {"DELETE", "/v1/networks"}, {"POST", "/v1/nothing"}}) {
            String answer = RawHttp.exchange(socket, call[0], call[1], body);
            assertThat(answer).as(call[0] + " " + call[1]).startsWith(call[1].equals("/v1/nothing") ? "HTTP/1.1 404" : "HTTP/1.1 405");
        }
        Path plugin = daemon.runDir.path().resolve("plugins/weft.sock");
        assertThat(Files.exists(plugin)).isTrue();
        assertThat(RawHttp.exchange(plugin, "GET", "/NetworkDriver.CreateNetwork", body)).startsWith("HTTP/1.1 405");
        assertThat(RawHttp.exchange(plugin, "PUT", "/NetworkDriver.Nothing", body)).startsWith("HTTP/1.1 404");
        byte[] big = new byte[(1 << 20) + 4096];
        java.util.Arrays.fill(big, (byte) ' ');
        assertThat(RawHttp.exchange(socket, "POST", "/v1/networks/create", big)).startsWith("HTTP/1.1 413");
        assertThat(RawHttp.exchange(plugin, "POST", "/NetworkDriver.CreateNetwork", big)).startsWith("HTTP/1.1 413");
    }
}
