package dev.weft.daemon.metrics;

import dev.weft.daemon.api.ApiException;
import dev.weft.engine.Controller;
import dev.weft.engine.EngineObserver;
import dev.weft.engine.Network;
import dev.weft.engine.WeftException;
import dev.weft.store.StoreException;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.Map;
import java.util.TreeMap;

/**
 * weftd's Prometheus metrics, in a registry of their own (one per weftd, so that several in one
 * process, as in tests, do not mix): the engine's operations, reconciliations and plugin calls as
 * its {@link EngineObserver}, and what the daemon itself counts: containers, the embedded DNS
 * server, the stores, the Docker plugin protocol it serves. Networks and endpoints by driver are
 * read from the controller at each scrape. The names and labels are listed in README.md.
 */
public final class WeftMetrics implements EngineObserver {
    /** Latency buckets from 100 µs to 30 s: DNS answers and store reads at the low end, overlay joins at the high. */
    private static final double[] BUCKETS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
            0.25, 0.5, 1, 2.5, 5, 10, 30};
    private static final double NANOS = 1e9;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Histogram operations = histogram("weft_operation_duration_seconds",
            "Operations by kind (network_create, endpoint_join, container_run, ...) and outcome (ok, or why it failed)",
            "kind", "outcome");
    private final Counter reconcilerRuns = Counter.builder().name("weft_reconciler_runs_total")
            .help("Reconciler runs: start (store, IPAM and kernel brought into agreement) and global_sweep")
            .labelNames("reconciler").register(registry);
    private final Counter reconcilerFixes = Counter.builder().name("weft_reconciler_fixes_total")
            .help("What the reconcilers repaired, by kind").labelNames("reconciler", "fix").register(registry);
    private final Histogram pluginCalls = histogram("weft_plugin_call_duration_seconds",
            "Calls weft made to Docker network and IPAM plugins, by plugin, method and outcome",
            "plugin", "method", "outcome");
    private final Histogram pluginServed = histogram("weft_plugin_request_duration_seconds",
            "Docker plugin protocol requests weftd served (--plugin-socket), by method and HTTP status",
            "method", "status");
    private final Histogram dns = histogram("weft_dns_query_duration_seconds",
            "Embedded DNS queries by outcome: local, nxdomain, forwarded, servfail, refused, formerr",
            "outcome");
    private final Histogram store = histogram("weft_store_operation_duration_seconds",
            "Store operations by store (local, global), operation and outcome (ok, conflict, error)",
            "store", "op", "outcome");
    private final Histogram watchLag = histogram("weft_store_watch_lag_seconds",
            "From this host's write to a store to its watch delivering the change, by store", "store");
    private final Counter watchEvents = Counter.builder().name("weft_store_watch_events_total")
            .help("Changes the store watches delivered, by store").labelNames("store").register(registry);
    private final Counter writtenBytes = Counter.builder().name("weft_store_written_bytes_total")
            .help("Bytes of keys and values this host wrote to a store (successful puts; deletes count their key), by store")
            .labelNames("store").register(registry);

    private boolean jvmMetrics;

    /**
     * Counts the requests this process sends the kernel, by interface: {@code netlink} messages
     * and {@code nftables} commands, each read at every scrape.
     */
    public void countKernelRequests(java.util.function.LongSupplier netlink, java.util.function.LongSupplier nftables) {
        CounterWithCallback.builder().name("weft_kernel_requests_total")
                .help("Requests this weftd sent the kernel: netlink messages, nftables commands").labelNames("interface")
                .callback(cb -> {
                    cb.call(netlink.getAsLong(), "netlink");
                    cb.call(nftables.getAsLong(), "nftables");
                }).register(registry);
    }

    private Histogram histogram(String name, String help, String... labels) {
        return Histogram.builder().name(name).help(help).labelNames(labels).classicOnly().classicUpperBounds(BUCKETS)
                .register(registry);
    }

    /**
     * The registry to scrape, with the JVM's own metrics registered at the first scrape rather
     * than at start: they load the JDK's management beans, a tenth of weftd's start-up.
     */
    public synchronized PrometheusRegistry registry() {
        if (!jvmMetrics) {
            JvmMetrics.builder().register(registry);
            jvmMetrics = true;
        }
        return registry;
    }

    /**
     * Counts {@code controller}'s networks and endpoints by driver at every scrape (with a global
     * store, the other hosts' global networks and endpoints as well: what this host knows; the
     * endpoints only of the global networks it follows, since the others' would cost a store read each, every scrape).
     */
    public void follow(Controller controller) {
        GaugeWithCallback.builder().name("weft_networks").help("Networks by driver").labelNames("driver")
                .callback(cb -> byDriver(controller, false).forEach((d, n) -> cb.call(n, d))).register(registry);
        GaugeWithCallback.builder().name("weft_endpoints").help("Endpoints by their network's driver").labelNames("driver")
                .callback(cb -> byDriver(controller, true).forEach((d, n) -> cb.call(n, d))).register(registry);
    }

    private static Map<String, Integer> byDriver(Controller controller, boolean endpoints) {
        Map<String, Integer> counts = new TreeMap<>();
        controller.driverNames().forEach(d -> counts.put(d, 0)); // a driver with nothing yet: 0, not absent
        for (Network n : controller.networks()) {
            try {
                // a global network this host does not follow counts no endpoints: a scrape reads nothing from the store
                counts.merge(n.driver(), !endpoints ? 1 : n.followed() ? n.endpointStates().size() : 0, Integer::sum);
            } catch (WeftException gone) {
                // deleted while being counted
            }
        }
        return counts;
    }

    @Override
    public void operation(String kind, String outcome, long nanos) {
        operations.labelValues(kind, outcome).observe(nanos / NANOS);
    }

    /** The engine's outcomes, and the API's refusals by their status (a 409 is a conflict, as the engine's). */
    @Override
    public String outcomeOf(Throwable failure) {
        if (failure instanceof ApiException a) {
            return switch (a.status()) {
                case 400, 413 -> "invalid_argument";
                case 403 -> "forbidden";
                case 404 -> "not_found";
                case 409 -> "conflict";
                case 503 -> "unavailable";
                default -> "error";
            };
        }
        return failure instanceof StoreException ? "unavailable" : EngineObserver.outcome(failure);
    }

    @Override
    public void reconciled(String reconciler, Map<String, Integer> fixed, long nanos) {
        reconcilerRuns.labelValues(reconciler).inc();
        fixed.forEach((fix, n) -> reconcilerFixes.labelValues(reconciler, fix).inc(n));
    }

    @Override
    public void pluginCall(String plugin, String method, String outcome, long nanos) {
        pluginCalls.labelValues(plugin, method, outcome).observe(nanos / NANOS);
    }

    /** weftd answered a Docker plugin protocol request. */
    public void pluginServed(String method, int status, long nanos) {
        pluginServed.labelValues(method, Integer.toString(status)).observe(nanos / NANOS);
    }

    /** The embedded DNS server answered a query. */
    public void dnsQuery(String outcome, long nanos) {
        dns.labelValues(outcome).observe(nanos / NANOS);
    }

    void storeOperation(String storeName, String op, String outcome, long nanos) {
        store.labelValues(storeName, op, outcome).observe(nanos / NANOS);
    }

    void watchEvent(String storeName) {
        watchEvents.labelValues(storeName).inc();
    }

    void storeWritten(String storeName, long bytes) {
        writtenBytes.labelValues(storeName).inc(bytes);
    }

    void watchLag(String storeName, long nanos) {
        watchLag.labelValues(storeName).observe(nanos / NANOS);
    }
}
