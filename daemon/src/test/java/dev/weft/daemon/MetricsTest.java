package dev.weft.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.testkit.RunDir;
import dev.weft.testkit.SimulatedHost;
import dev.weft.testkit.SimulatedHosts;
import dev.weft.testkit.StoreServer;
import dev.weft.testkit.WeftdProcess;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real weftd process (in a simulated host) with --metrics-addr, --plugin-socket and
 * --log-format json: its /metrics move as real operations happen, pass Debian's
 * {@code promtool check metrics}, are the same over TCP, and its log is one JSON object a line.
 */
class MetricsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OPS = "weft_operation_duration_seconds_count";

    @Test
    void metricsMoveWithRealOperationsAndPassPromtool() throws Exception {
        try (SimulatedHosts hosts = SimulatedHosts.create(1); RunDir dir = new RunDir();
             WeftdProcess weftd = WeftdProcess.start(hosts.get(0), dir.path(), "--metrics-addr", "127.0.0.1:9323",
                     "--log-format", "json", "--plugin-socket", dir.path().resolve("plugins/weft.sock").toString())) {
            run(hosts.get(0), dir.path(), weftd);
        }
    }

    /** With etcd as the global store: its operations, and the lag of this host's writes coming back through its watch. */
    @Test
    void globalStoreOperationsAndWatchLagAreCounted() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/etcd")), "needs etcd-server");
        try (RunDir dir = new RunDir(); SimulatedHosts hosts = SimulatedHosts.create(2);
             StoreServer etcd = StoreServer.etcd(hosts.get(1), dir.path().resolve("etcd"));
             WeftdProcess weftd = WeftdProcess.sharing(hosts.get(0), dir.path().resolve("w0"), etcd.url());
             ApiClient api = new ApiClient(weftd.socket())) {
            Map<String, Double> before = scrape(api);
            var r = api.call("POST", "/v1/networks/create",
                    "{\"Name\": \"movl\", \"Driver\": \"overlay\", \"IPAM\": {\"Config\": [{\"Subnet\": \"203.0.113.0/24\"}]}}");
            assertThat(r.status()).as(r.body().toString()).isEqualTo(201);
            String lag = "weft_store_watch_lag_seconds_count{store=\"global\"}";
            Map<String, Double> after = scrape(api);
            for (int i = 0; i < 50 && after.getOrDefault(lag, 0.0) <= before.getOrDefault(lag, 0.0); i++) {
                Thread.sleep(100); // the watch delivers on its own thread
                after = scrape(api);
            }
            assertThat(delta(before, after, lag)).as("this host's network record seen back through its watch").isGreaterThanOrEqualTo(1);
            assertThat(delta(before, after, "weft_store_watch_events_total{store=\"global\"}")).isGreaterThanOrEqualTo(1);
            assertThat(delta(before, after, "weft_networks{driver=\"overlay\"}")).isEqualTo(1);
            assertThat(after.entrySet()).anySatisfy(e -> {
                assertThat(e.getKey()).startsWith("weft_store_operation_duration_seconds_count{op=\"put")
                        .endsWith("outcome=\"ok\",store=\"global\"}");
                assertThat(e.getValue()).isPositive();
            });
            assertThat(api.call("DELETE", "/v1/networks/movl", null).status()).isEqualTo(204);
            promtool(dir.path(), api.send("GET", "/metrics", null).getContentAsString());
        }
    }

    private void run(SimulatedHost host, Path dir, WeftdProcess weftd) throws Exception {
        try (ApiClient api = new ApiClient(weftd.socket());
             ApiClient plugin = new ApiClient(dir.resolve("plugins/weft.sock"))) {
            Map<String, Double> before = scrape(api);
            assertThat(before).containsEntry("weft_reconciler_runs_total{reconciler=\"start\"}", 1.0);

            String create = "{\"Name\": \"%s\", \"IPAM\": {\"Config\": [{\"Subnet\": \"%s\"}]}}";
            assertThat(api.call("POST", "/v1/networks/create", create.formatted("mnet", "198.51.100.0/24")).status()).isEqualTo(201);
            assertThat(api.call("POST", "/v1/networks/create", create.formatted("mkeep", "203.0.113.0/24")).status()).isEqualTo(201);
            assertThat(api.call("POST", "/v1/networks/create", create.formatted("mnet", "192.0.2.0/24")).status()).isEqualTo(409);
            long m1 = runContainer(api, "m1");
            runContainer(api, "m2");
            assertThat(api.call("POST", "/v1/containers/create", "{\"Name\": \"m3\", \"Networks\": [\"nope\"], \"Cmd\": [\"true\"]}")
                    .status()).isEqualTo(404);

            assertThat(exec(m1, "dig", "+short", "+time=2", "+tries=1", "@127.0.0.11", "m2")).startsWith("0:198.51.100.");
            assertThat(exec(m1, "dig", "+time=2", "+tries=1", "@127.0.0.11", "nosuchname")).contains("NXDOMAIN");

            assertThat(plugin.send("POST", "/Plugin.Activate", "{}").getStatus()).isEqualTo(200);
            assertThat(plugin.send("POST", "/NetworkDriver.NoSuchCall", "{}").getStatus()).isEqualTo(404);

            Map<String, Double> running = scrape(api);
            assertThat(delta(before, running, "weft_networks{driver=\"bridge\"}")).isEqualTo(2);
            assertThat(delta(before, running, "weft_endpoints{driver=\"bridge\"}")).isEqualTo(2);

            assertThat(api.call("DELETE", "/v1/containers/m1?force=true", null).status()).isEqualTo(204);
            assertThat(api.call("DELETE", "/v1/containers/m2?force=true", null).status()).isEqualTo(204);
            assertThat(api.call("DELETE", "/v1/networks/mnet", null).status()).isEqualTo(204);

            String text = api.send("GET", "/metrics", null).getContentAsString();
            assertThat(text).as("the JVM's own metrics, registered at the first scrape").contains("jvm_memory_used_bytes{");
            Map<String, Double> after = parse(text);
            assertThat(delta(before, after, OPS + "{kind=\"network_create\",outcome=\"ok\"}")).isEqualTo(2);
            assertThat(delta(before, after, OPS + "{kind=\"network_create\",outcome=\"conflict\"}")).isEqualTo(1);
            assertThat(delta(before, after, OPS + "{kind=\"network_delete\",outcome=\"ok\"}")).isEqualTo(1);
            assertThat(delta(before, after, OPS + "{kind=\"container_run\",outcome=\"ok\"}")).isEqualTo(2);
            assertThat(delta(before, after, OPS + "{kind=\"container_run\",outcome=\"not_found\"}")).isEqualTo(1);
            assertThat(delta(before, after, OPS + "{kind=\"container_rm\",outcome=\"ok\"}")).isEqualTo(2);
            assertThat(delta(before, after, OPS + "{kind=\"endpoint_join\",outcome=\"ok\"}")).isEqualTo(2);
            assertThat(delta(before, after, OPS + "{kind=\"endpoint_leave\",outcome=\"ok\"}")).isEqualTo(2);
            assertThat(delta(before, after, "weft_networks{driver=\"bridge\"}")).isEqualTo(1);
            assertThat(delta(before, after, "weft_endpoints{driver=\"bridge\"}")).isZero();
            assertThat(delta(before, after, "weft_dns_query_duration_seconds_count{outcome=\"local\"}")).isGreaterThanOrEqualTo(1);
            assertThat(delta(before, after, "weft_dns_query_duration_seconds_count{outcome=\"nxdomain\"}")).isGreaterThanOrEqualTo(1);
            assertThat(delta(before, after,
                    "weft_plugin_request_duration_seconds_count{method=\"Plugin.Activate\",status=\"200\"}")).isEqualTo(1);
            assertThat(delta(before, after, "weft_plugin_request_duration_seconds_count{method=\"other\",status=\"404\"}"))
                    .isEqualTo(1);
            assertThat(delta(before, after, "weft_store_operation_duration_seconds_count{op=\"put\",outcome=\"ok\",store=\"local\"}"))
                    .isGreaterThanOrEqualTo(2);
            assertThat(after.get(OPS + "{kind=\"network_create\",outcome=\"ok\"}"))
                    .isEqualTo(after.get("weft_operation_duration_seconds_bucket{kind=\"network_create\",outcome=\"ok\",le=\"+Inf\"}"));

            promtool(dir, text);
            String overTcp = host.exec("curl", "-sS", "--fail", "http://127.0.0.1:9323/metrics");
            assertThat(parse(overTcp)).containsKey(OPS + "{kind=\"network_delete\",outcome=\"ok\"}");
            assertThat(host.exec("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:9323/v1/networks"))
                    .as("only /metrics over TCP").isEqualTo("404");
        }
        // the start-up reconciler's repairs are counted: sandbox files and a namespace file no record names
        assertThat(weftd.terminate()).isZero();
        Path stray = dir.resolve("run/sandboxes/mstray");
        Files.createDirectories(stray);
        Path strayNamespace = Files.createFile(dir.resolve("run/netns/mstray"));
        weftd.restart();
        try (ApiClient api = new ApiClient(weftd.socket())) {
            Map<String, Double> restarted = scrape(api);
            assertThat(restarted).containsEntry("weft_reconciler_runs_total{reconciler=\"start\"}", 1.0);
            assertThat(restarted.get("weft_reconciler_fixes_total{fix=\"sandbox_files_removed\",reconciler=\"start\"}"))
                    .isGreaterThanOrEqualTo(1.0);
            assertThat(restarted.get("weft_reconciler_fixes_total{fix=\"namespace_removed\",reconciler=\"start\"}"))
                    .isEqualTo(1.0);
            assertThat(stray).doesNotExist();
            assertThat(strayNamespace).doesNotExist();
            assertThat(api.send("POST", "/metrics", "{}").getStatus()).isEqualTo(405);
        }
        jsonLog(weftd.log());
    }

    private static long runContainer(ApiClient api, String name) throws Exception {
        var r = api.call("POST", "/v1/containers/create",
                "{\"Name\": \"" + name + "\", \"Networks\": [\"mnet\"], \"Cmd\": [\"sleep\", \"300\"]}");
        assertThat(r.status()).as(r.body().toString()).isEqualTo(201);
        return r.body().path("Pid").asLong();
    }

    /** Runs {@code cmd} in the container's network namespace; "exit code:output". */
    private static String exec(long pid, String... cmd) throws Exception {
        List<String> argv = new ArrayList<>(List.of("nsenter", "-t", Long.toString(pid), "-n", "--"));
        argv.addAll(List.of(cmd));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return p.waitFor() + ":" + out;
    }

    static Map<String, Double> scrape(ApiClient api) throws Exception {
        var r = api.send("GET", "/metrics", null);
        assertThat(r.getStatus()).isEqualTo(200);
        assertThat(r.getMediaType()).isEqualTo("text/plain");
        return parse(r.getContentAsString());
    }

    /** The samples of a text exposition: series (name and labels as written) to value. */
    private static Map<String, Double> parse(String text) {
        Map<String, Double> samples = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return samples;
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String series) {
        assertThat(after).as("scraped series").containsKey(series);
        return after.get(series) - before.getOrDefault(series, 0.0);
    }

    /** Debian's promtool accepts the exposition: it parses, and its lint finds nothing. */
    private static void promtool(Path dir, String text) throws IOException, InterruptedException {
        Path file = dir.resolve("metrics.txt");
        Files.writeString(file, text);
        Process p = new ProcessBuilder("promtool", "check", "metrics").redirectInput(file.toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("promtool check metrics: " + out).isZero();
    }

    /** Every line weftd logged is one JSON object: its own, Jetty's and the engine's (through System.Logger). */
    private static void jsonLog(String log) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : log.split("\n")) {
            if (!line.isBlank()) {
                JsonNode node = JSON.readTree(line);
                assertThat(node.isObject()).as(line).isTrue();
                lines.add(node);
            }
        }
        assertThat(lines).anySatisfy(n -> {
            assertThat(n.path("level").asText()).isEqualTo("INFO");
            assertThat(n.path("loggerName").asText()).isEqualTo(Weftd.class.getName());
            assertThat(n.path("formattedMessage").asText()).startsWith("weftd serving on unix://");
            assertThat(n.path("timestamp").asLong()).isPositive();
        });
        assertThat(lines).anySatisfy(n -> {
            assertThat(n.path("loggerName").asText()).isEqualTo("dev.weft.engine.internal.Reconciler");
            assertThat(n.path("formattedMessage").asText()).isEqualTo("removing sandbox namespace mstray that no record names");
        });
    }
}
