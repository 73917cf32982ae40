package dev.weft.daemon;

import dev.weft.testkit.RunDir;
import dev.weft.testkit.SimulatedHosts;
import dev.weft.testkit.StoreServer;
import dev.weft.testkit.WeftdProcess;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A host outside a global network receives none of its endpoints' changes, also when it is
 * scraped (the weft_endpoints gauge), inspects and lists the networks, and removes a container of
 * its own (which looks through the networks for the container's endpoints): each read every
 * network's endpoints before, which made the host follow them all. The host taking part counts the netlink requests it sends.
 */
class OutsideHostWatchTest {
    private static final String EVENTS = "weft_store_watch_events_total{store=\"global\"}";

    @Test
    void scrapesAndRemovalsDoNotMakeAHostFollowNetworksItTakesNoPartIn() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/etcd")), "needs etcd-server");
        try (RunDir dir = new RunDir(); SimulatedHosts hosts = SimulatedHosts.create(3);
             StoreServer etcd = StoreServer.etcd(hosts.get(2), dir.path().resolve("etcd"));
             WeftdProcess w0 = WeftdProcess.sharing(hosts.get(0), dir.path().resolve("w0"), etcd.url());
             WeftdProcess w1 = WeftdProcess.sharing(hosts.get(1), dir.path().resolve("w1"), etcd.url());
             ApiClient a = new ApiClient(w0.socket()); ApiClient b = new ApiClient(w1.socket())) {
            assertThat(a.call("POST", "/v1/networks/create", "{\"Name\": \"ofan\", \"Driver\": \"overlay\","
                    + " \"IPAM\": {\"Config\": [{\"Subnet\": \"203.0.113.0/24\"}]}}").status()).isEqualTo(201);
            run(a, "oa1", "[\"ofan\"]");
            // host 1 takes no part in ofan: it is scraped and runs and removes a container without networks
            run(b, "ob1", "[]");
            MetricsTest.scrape(b);
            // and inspects and lists the networks: it sees ofan's container, read from the store
            var inspect = b.call("GET", "/v1/networks/ofan", null);
            assertThat(inspect.status()).isEqualTo(200);
            assertThat(inspect.body().toString()).contains("oa1");
            assertThat(b.call("GET", "/v1/networks", null).status()).isEqualTo(200);
            assertThat(b.call("DELETE", "/v1/containers/ob1?force=true", null).status()).isEqualTo(204);
            Thread.sleep(500);
            Map<String, Double> before0 = MetricsTest.scrape(a);
            Map<String, Double> before1 = MetricsTest.scrape(b);
            run(a, "oa2", "[\"ofan\"]");
            assertThat(a.call("DELETE", "/v1/containers/oa2?force=true", null).status()).isEqualTo(204);
            Thread.sleep(1000); // the watches deliver on their own threads
            Map<String, Double> after0 = MetricsTest.scrape(a);
            Map<String, Double> after1 = MetricsTest.scrape(b);
            assertThat(after0.get(EVENTS) - before0.get(EVENTS)).as("host 0 takes part: it sees its own changes").isPositive();
            assertThat(after1.getOrDefault(EVENTS, 0.0) - before1.getOrDefault(EVENTS, 0.0))
                    .as("host 1 takes no part in ofan").isZero();
            assertThat(after1.get("weft_endpoints{driver=\"overlay\"}")).isZero();
            assertThat(after0.get("weft_endpoints{driver=\"overlay\"}")).isEqualTo(1.0);
            assertThat(after0.get("weft_kernel_requests_total{interface=\"netlink\"}") - before0.get(
                    "weft_kernel_requests_total{interface=\"netlink\"}")).as("netlink requests of host 0's run and rm").isPositive();
            assertThat(a.call("DELETE", "/v1/containers/oa1?force=true", null).status()).isEqualTo(204);
        }
    }

    private static void run(ApiClient api, String name, String networks) throws Exception {
        var r = api.call("POST", "/v1/containers/create", "{\"Name\": \"" + name + "\", \"Networks\": " + networks
                + ", \"Cmd\": [\"sleep\", \"300\"]}");
        assertThat(r.status()).as(r.body().toString()).isEqualTo(201);
    }
}
