package dev.weft.cli;

import dev.weft.daemon.kernel.HostKernel;

import dev.weft.daemon.Weftd;
import dev.weft.daemon.WeftdOptions;
import dev.weft.linux.TestNamespaces;
import dev.weft.testkit.RunDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/** An in-process weftd in a throwaway host namespace, and a way to run weft command lines against it. */
final class CliFixture implements AutoCloseable {
    final TestNamespaces namespaces = new TestNamespaces();
    final RunDir runDir = new RunDir();
    final Weftd weftd;

    /** What one command line printed and returned. */
    record Run(int exit, String out, String err) {
    }

    CliFixture(String label) {
        weftd = Weftd.start(new WeftdOptions(runDir.path().resolve("weft.sock"), runDir.path().resolve("data"),
                runDir.path().resolve("run"), "info"), HostKernel.of(namespaces.create(label)));
    }

    /** Runs {@code weft -H unix://SOCKET ARGS...}. */
    /** Removes every container, running or not (their processes outlive weftd), then closes. */
    void removeContainersAndClose() {
        for (String id : weft("ps", "-a", "-q").out().lines().toList()) {
            weft("rm", "-f", id);
        }
        close();
    }

    Run weft(String... args) {
        List<String> all = new ArrayList<>(List.of("-H", "unix://" + weftd.socket()));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = WeftCli.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    @Override
    public void close() {
        weftd.close();
        runDir.close();
        namespaces.close();
    }
}
