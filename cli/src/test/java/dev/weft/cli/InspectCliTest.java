package dev.weft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** weft inspect CONTAINER and weft network inspect with Docker's --format forms, against a weftd. */
class InspectCliTest {
    private final ObjectMapper json = new ObjectMapper();
    private CliFixture cli;

    @BeforeEach
    void start() {
        cli = new CliFixture("inscli");
        assertThat(cli.weft("network", "create", "--subnet", "192.0.2.0/24", "dev").exit()).isZero();
        assertThat(cli.weft("network", "create", "--subnet", "198.51.100.0/24", "ops").exit()).isZero();
    }

    @AfterEach
    void stop() {
        cli.removeContainersAndClose();
    }

    @Test
    void networkInspectFormats() throws Exception {
        JsonNode array = json.readTree(cli.weft("network", "inspect", "dev", "ops").out());
        assertThat(array.isArray()).isTrue();
        assertThat(array.size()).isEqualTo(2);

        for (String format : List.of("json", "{{json .}}")) {
            CliFixture.Run r = cli.weft("network", "inspect", "--format", format, "dev", "ops");
            assertThat(r.exit()).as(r.err()).isZero();
            List<String> lines = r.out().lines().toList();
            assertThat(lines).hasSize(2);
            assertThat(json.readTree(lines.get(0))).isEqualTo(array.get(0));
            assertThat(json.readTree(lines.get(1)).path("Name").asText()).isEqualTo("ops");
        }
        assertThat(cli.weft("network", "inspect", "-f", "{{.Name}} {{.Driver}} {{ .IPAM.Config }}", "dev").out())
                .isEqualTo("dev bridge " + array.get(0).path("IPAM").path("Config") + "\n");
        assertThat(cli.weft("network", "inspect", "-f", "{{json .Name}}/{{.Nope.Deeper}}", "ops").out())
                .isEqualTo("\"ops\"/<no value>\n");
        CliFixture.Run range = cli.weft("network", "inspect", "-f", "{{range .Containers}}x{{end}}", "dev");
        assertThat(range.exit()).isEqualTo(1);
        assertThat(range.err()).startsWith("weft: unsupported --format action \"{{range .Containers}}\"");
        assertThat(range.out()).isEmpty();
    }

    @Test
    void inspectAContainer() throws Exception {
        assertThat(cli.weft("run", "-d", "--name", "web", "--net", "dev", "--", "sleep", "300").exit()).isZero();
        JsonNode array = json.readTree(cli.weft("inspect", "web").out());
        assertThat(array.size()).isEqualTo(1);
        assertThat(array.get(0).path("Name").asText()).isEqualTo("web");
        assertThat(array.get(0).path("Status").asText()).isEqualTo("running");
        assertThat(cli.weft("inspect", "--format", "{{.Name}} {{.Status}} {{json .Networks}}", "web").out())
                .isEqualTo("web running [\"dev\"]\n");
        assertThat(json.readTree(cli.weft("inspect", "--format", "json", "web").out())).isEqualTo(array.get(0));
        CliFixture.Run none = cli.weft("inspect", "nope");
        assertThat(none.exit()).isEqualTo(1);
        assertThat(none.err()).isEqualTo("weft: no such container: nope\n");
    }
}
