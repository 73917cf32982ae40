package dev.weft.cli;

import dev.weft.daemon.Weftd;
import dev.weft.daemon.WeftdOptions;
import dev.weft.linux.TestNamespaces;
import dev.weft.testkit.RunDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The quick start's service commands against a weftd in a throwaway host namespace. */
class ServiceCliTest {
    private TestNamespaces namespaces;
    private RunDir runDir;
    private Weftd weftd;

    record Run(int exit, String out, String err) {
    }

    @BeforeEach
    void start() {
        namespaces = new TestNamespaces();
        runDir = new RunDir();
        weftd = Weftd.start(new WeftdOptions(runDir.path().resolve("weft.sock"), runDir.path().resolve("data"),
                runDir.path().resolve("run"), "info"), namespaces.create("svccli"));
    }

    @AfterEach
    void stop() {
        weftd.close();
        runDir.close();
        namespaces.close();
    }

    private Run weft(String... args) {
        List<String> all = new ArrayList<>(List.of("-H", "unix://" + weftd.socket()));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = WeftCli.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void publishAttachListInfoDetachUnpublish() {
        weft("network", "create", "--subnet", "192.0.2.0/24", "dev");
        weftd.controller().newSandbox("c1", dev.weft.engine.SandboxOptions.named("c1"));
        Run published = weft("service", "publish", "--alias", "www", "svc1.dev");
        assertThat(published.exit()).as(published.err()).isZero();
        assertThat(weft("service", "attach", "c1", "svc1.dev").exit()).isZero();
        Run ls = weft("service", "ls", "--net", "dev");
        assertThat(ls.out()).startsWith("SERVICE ID").contains("svc1").contains("dev").contains("c1").contains("192.0.2.2/24");
        assertThat(weft("service", "info", "svc1.dev").out()).contains("\"Aliases\" : [ \"www\" ]");
        assertThat(weft("service", "unpublish", "svc1.dev").err())
                .isEqualTo("weft: service svc1.dev is attached to container c1; detach it first or use force\n");
        assertThat(weft("service", "detach", "c1", "svc1.dev").exit()).isZero();
        assertThat(weft("service", "unpublish", "svc1.dev").exit()).isZero();
        assertThat(weft("service", "info", "svc1").err()).startsWith("weft: invalid service \"svc1\"");
        assertThat(weft("service", "info", "svc1.dev").err()).isEqualTo("weft: no service svc1.dev\n");
    }
}
