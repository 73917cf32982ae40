package dev.weft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** weft cni install: the plugin executable and a configuration list in the given directories, refusals in one line. */
class CniInstallTest {
    private static final Path SHIM = Path.of("../cni/target/weft-cni").toAbsolutePath().normalize();

    record Run(int exit, String out, String err) {
    }

    private static Run weft(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = WeftCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void installsThePluginAndAConfigurationAndKeepsAnExistingOne(@TempDir Path bin, @TempDir Path conf) throws Exception {
        assumeTrue(Files.isExecutable(SHIM), "the shim is built by the cni module");
        Files.copy(Path.of("/bin/true"), bin.resolve("portmap"));
        Run r = weft("cni", "install", "--bin-dir", bin.toString(), "--conf-dir", conf.toString(), "--network", "wtnet",
                "--subnet", "198.51.100.0/24");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(Files.isExecutable(bin.resolve("weft"))).isTrue();
        assertThat(Files.readAllBytes(bin.resolve("weft"))).isEqualTo(Files.readAllBytes(SHIM));
        JsonNode list = new ObjectMapper().readTree(conf.resolve("10-wtnet.conflist").toFile());
        assertThat(list.path("name").asText()).isEqualTo("wtnet");
        assertThat(list.path("cniVersion").asText()).isEqualTo("1.1.0");
        assertThat(list.path("plugins").get(0).path("type").asText()).isEqualTo("weft");
        assertThat(list.path("plugins").get(0).path("subnet").asText()).isEqualTo("198.51.100.0/24");
        assertThat(list.path("plugins").get(1).path("type").asText()).isEqualTo("portmap");

        Files.writeString(conf.resolve("10-wtnet.conflist"), "{\"mine\": true}");
        Run again = weft("cni", "install", "--bin-dir", bin.toString(), "--conf-dir", conf.toString(), "--network", "wtnet");
        assertThat(again.exit()).isZero();
        assertThat(again.out()).contains("kept");
        assertThat(Files.readString(conf.resolve("10-wtnet.conflist"))).isEqualTo("{\"mine\": true}");
    }

    @Test
    void refusesWhatItCannotDoInOneLine(@TempDir Path dir) {
        assumeTrue(Files.isExecutable(SHIM), "the shim is built by the cni module");
        Run r = weft("cni", "install", "--bin-dir", dir.resolve("missing").toString(), "--conf-dir", dir.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("weft: " + dir.resolve("missing") + " is not a directory\n");
        Run bad = weft("cni", "install", "--bin-dir", dir.toString(), "--conf-dir", dir.toString(), "--subnet", "nope");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).startsWith("weft: --subnet \"nope\"");
        assertThat(dir.resolve("weft")).doesNotExist();
        Run noShim = weft("cni", "install", "--bin-dir", dir.toString(), "--conf-dir", dir.toString(), "--shim", "/nonexistent");
        assertThat(noShim.exit()).isEqualTo(1);
        assertThat(noShim.err()).contains("no CNI plugin executable at /nonexistent");
    }
}
