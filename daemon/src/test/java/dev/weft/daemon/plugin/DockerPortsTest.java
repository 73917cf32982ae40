package dev.weft.daemon.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.engine.PortBinding;
import dev.weft.net.IpPrefix;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Docker's port map, as CreateEndpoint carries it, read into weft's port bindings. */
class DockerPortsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode options(String portMap) throws Exception {
        return JSON.readTree("{\"" + DockerPorts.PORT_MAP + "\": " + portMap + "}");
    }

    @Test
    void dockerBindingsBecomeWeftBindingsWithTheTwoWildcardsAsOne() throws Exception {
        assertThat(DockerPorts.of(options("""
                [{"Proto": 6, "IP": "", "Port": 80, "HostIP": "0.0.0.0", "HostPort": 8080, "HostPortEnd": 8080},
                 {"Proto": 6, "IP": "", "Port": 80, "HostIP": "::", "HostPort": 8080, "HostPortEnd": 8080},
                 {"Proto": 17, "IP": "", "Port": 53, "HostIP": "127.0.0.1", "HostPort": 5353},
                 {"Proto": 6, "Port": 443, "HostIP": "", "HostPort": 8443, "HostPortEnd": 0}]"""))).containsExactly(
                new PortBinding("tcp", null, 8080, 80),
                new PortBinding("udp", IpPrefix.parseAddress("127.0.0.1"), 5353, 53),
                new PortBinding("tcp", null, 8443, 443));
        assertThat(DockerPorts.of(JSON.readTree("{}"))).isEmpty();
        assertThat(DockerPorts.of(options("null"))).isEmpty();
    }

    @Test
    void whatWeftCannotPublishIsRefusedWithTheReason() {
        assertThatThrownBy(() -> DockerPorts.of(options("[{\"Proto\": 6, \"Port\": 80, \"HostPort\": 0}]")))
                .hasMessage("weft does not choose host ports: publish container port 80 with one, such as -p 8080:80");
        assertThatThrownBy(() -> DockerPorts.of(options("[{\"Proto\": 6, \"Port\": 80, \"HostPort\": 8080, \"HostPortEnd\": 8089}]")))
                .hasMessageContaining("not the range 8080-8089");
        assertThatThrownBy(() -> DockerPorts.of(options("[{\"Proto\": 132, \"Port\": 80, \"HostPort\": 8080}]")))
                .hasMessageContaining("not protocol 132");
        assertThatThrownBy(() -> DockerPorts.of(options("[{\"Proto\": 6, \"Port\": 80, \"HostIP\": \"nowhere\", \"HostPort\": 8080}]")))
                .hasMessageContaining("HostIP");
        assertThatThrownBy(() -> DockerPorts.of(options("{\"Proto\": 6}"))).hasMessageContaining("expected an array");
    }
}
