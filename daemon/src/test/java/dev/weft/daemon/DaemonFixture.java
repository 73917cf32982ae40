package dev.weft.daemon;

import dev.weft.daemon.kernel.HostKernel;

import dev.weft.linux.TestNamespaces;
import dev.weft.testkit.RunDir;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An in-process weftd for one test, working inside a throwaway host namespace, with an API client
 * on its socket and an empty host resolv.conf (no upstream) unless the test writes one first.
 */
final class DaemonFixture implements AutoCloseable {
    final TestNamespaces namespaces = new TestNamespaces();
    final RunDir runDir = new RunDir();
    final Weftd weftd;
    final ApiClient api;

    DaemonFixture(String label) throws Exception {
        Path resolv = runDir.path().resolve("host-resolv.conf");
        Files.writeString(resolv, "");
        weftd = Weftd.start(new WeftdOptions(runDir.path().resolve("weft.sock"), runDir.path().resolve("data"),
                runDir.path().resolve("run"), "info", resolv), HostKernel.of(namespaces.create(label)));
        api = new ApiClient(weftd.socket());
    }

    @Override
    public void close() throws Exception {
        api.close();
        weftd.close();
        runDir.close();
        namespaces.close();
    }
}
