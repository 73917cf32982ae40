package dev.weft.daemon;

import dev.weft.testkit.JavaMain;
import dev.weft.testkit.RunDir;
import dev.weft.testkit.SimulatedHost;
import dev.weft.testkit.SimulatedHosts;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** weftd refuses bad --metrics-addr and --log-format values in one line, exit 2, before it starts anything. */
class MetricsOptionsTest {

    @Test
    void badValuesAreRefusedInOneLine() throws Exception {
        try (SimulatedHosts hosts = SimulatedHosts.create(1); RunDir dir = new RunDir()) {
            SimulatedHost host = hosts.get(0);
            assertRefused(host, dir, "weftd: --metrics-addr 192.0.2.1:9323: not a loopback address; the metrics have no"
                    + " authentication, so add --metrics-allow-remote to serve them to the network anyway",
                    "--metrics-addr", "192.0.2.1:9323");
            assertRefused(host, dir, "weftd: --metrics-addr 127.0.0.1: expected HOST:PORT, like 127.0.0.1:9323",
                    "--metrics-addr", "127.0.0.1");
            assertRefused(host, dir, "weftd: --metrics-allow-remote needs --metrics-addr", "--metrics-allow-remote");
            assertRefused(host, dir, "weftd: invalid --log-format \"xml\" (logfmt, json)", "--log-format", "xml");
            assertThat(dir.path().resolve("data")).as("nothing was started").doesNotExist();
        }
    }

    private static void assertRefused(SimulatedHost host, RunDir dir, String message, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("-H", "unix://" + dir.path().resolve("w.sock"),
                "--data-dir", dir.path().resolve("data").toString(), "--run-dir", dir.path().resolve("run").toString()));
        args.addAll(List.of(options));
        Process p = new ProcessBuilder(host.command(JavaMain.command("dev.weft.daemon.WeftdMain", args).toArray(String[]::new)))
                .redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isEqualTo(2);
            assertThat(out.lines().filter(l -> !l.startsWith("WARNING: ")).toList()).containsExactly(message);
        } finally {
            p.destroyForcibly();
        }
    }
}
