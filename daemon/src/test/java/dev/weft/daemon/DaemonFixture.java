package dev.weft.daemon;

import dev.weft.daemon.kernel.HostKernel;

import dev.weft.linux.TestNamespaces;
import dev.weft.linux.netns.Netns;
import dev.weft.store.KvEntry;
import dev.weft.store.LocalStore;
import dev.weft.testkit.RunDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * An in-process weftd for one test, working inside a throwaway host namespace, with an API client
 * on its socket and an empty host resolv.conf (no upstream) unless the test writes one first.
 * With a plugin socket, {@link #plugin} is a client on it too.
 */
final class DaemonFixture implements AutoCloseable {
    final TestNamespaces namespaces = new TestNamespaces();
    final RunDir runDir = new RunDir();
    final Netns host;
    private final WeftdOptions options;
    Weftd weftd;
    ApiClient api;
    ApiClient plugin;

    DaemonFixture(String label) throws Exception {
        this(label, false);
    }

    DaemonFixture(String label, boolean pluginSocket) throws Exception {
        this(null, label, pluginSocket);
    }

    /** A weftd serving {@code host} (a simulated host the test made and removes), or a namespace of its own when null. */
    DaemonFixture(Netns host, String label, boolean pluginSocket) throws Exception {
        Path resolv = runDir.path().resolve("host-resolv.conf");
        Files.writeString(resolv, "");
        WeftdOptions o = new WeftdOptions(runDir.path().resolve("weft.sock"), runDir.path().resolve("data"),
                runDir.path().resolve("run"), "info", resolv);
        options = pluginSocket ? o.withPluginSocket(runDir.path().resolve("plugins/weft.sock")) : o;
        this.host = host != null ? host : namespaces.create(label);
        startWeftd();
    }

    private void startWeftd() throws Exception {
        weftd = Weftd.start(options, HostKernel.of(host));
        api = new ApiClient(weftd.socket());
        plugin = options.plugin() == null ? null : new ApiClient(options.plugin().socket());
    }

    private void stopWeftd() throws Exception {
        api.close();
        if (plugin != null) {
            plugin.close();
        }
        weftd.close();
    }

    /** Stops weftd (networking stays in place) and starts it again on the same data and host. */
    void restart() throws Exception {
        restart(() -> { });
    }

    /** As {@link #restart()}, doing {@code meanwhile} while weftd is stopped (as a crash would leave things). */
    void restart(Runnable meanwhile) throws Exception {
        stopWeftd();
        meanwhile.run();
        startWeftd();
    }

    /** The keys in weftd's store, read while weftd is stopped for a moment (it holds the store's lock). */
    List<String> storeKeys() throws Exception {
        stopWeftd();
        try (LocalStore store = LocalStore.open(options.dataDir().resolve("weft.db"))) {
            return store.list("").stream().map(KvEntry::key).sorted().toList();
        } finally {
            startWeftd();
        }
    }

    /** Removes the containers left running (their processes outlive weftd), then stops weftd and cleans up. */
    @Override
    public void close() throws Exception {
        try {
            for (var c : api.call("GET", "/v1/containers", null).body()) {
                api.call("DELETE", "/v1/containers/" + c.path("Id").asText() + "?force=true", null);
            }
        } finally {
            closeQuietly();
        }
    }

    private void closeQuietly() throws Exception {
        stopWeftd();
        runDir.close();
        namespaces.close();
    }
}
