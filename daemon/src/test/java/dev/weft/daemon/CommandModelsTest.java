package dev.weft.daemon;

import dev.weft.commandmodels.ModelDifferences;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * weftd's command model generated at compile time (CommandModels) against the one picocli builds by
 * reflection from WeftdMain's annotations, and the generated one parsing a command line.
 */
class CommandModelsTest {
    @Test
    void theGeneratedModelIsTheOneReflectionGives() {
        CommandLine generated = new CommandLine(CommandModels.spec(new WeftdMain()));
        CommandLine reflective = new CommandLine(new WeftdMain());
        assertThat(generated.getCommandSpec().options()).hasSizeGreaterThan(20);
        assertThat(ModelDifferences.between(generated, reflective)).isEmpty();
    }

    @Test
    void theGeneratedModelSetsTheFieldsAndKeepsTheDefaults() {
        WeftdMain weftd = new WeftdMain();
        new CommandLine(CommandModels.spec(weftd)).parseArgs("-H", "unix:///tmp/x.sock", "--kv-wait", "7",
                "--nameserver", "192.0.2.1", "--nameserver", "192.0.2.2", "--plugin-socket", "--metrics-allow-remote");
        assertThat(weftd.socket).isEqualTo("unix:///tmp/x.sock");
        assertThat(weftd.kvWait).isEqualTo(7);
        assertThat(weftd.nameservers).containsExactly("192.0.2.1", "192.0.2.2");
        assertThat(weftd.pluginSocket).isEqualTo(Path.of("/run/docker/plugins/weft.sock"));
        assertThat(weftd.metricsAllowRemote).isTrue();
        assertThat(weftd.dataDir).isEqualTo(Path.of("/var/lib/weft"));
        assertThat(weftd.logLevel).isEqualTo("info");
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        StringWriter err = new StringWriter();
        int exit = new CommandLine(CommandModels.spec(new WeftdMain())).setErr(new PrintWriter(err, true))
                .execute("--no-such-option");
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).startsWith("Unknown option: '--no-such-option'");
    }
}
