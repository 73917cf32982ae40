package dev.weft.cli;

import dev.weft.daemon.Weftd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;


import static org.assertj.core.api.Assertions.assertThat;

/** The quick start's service commands against a weftd in a throwaway host namespace. */
class ServiceCliTest {
    private CliFixture cli;
    private Weftd weftd;

    @BeforeEach
    void start() {
        cli = new CliFixture("svccli");
        weftd = cli.weftd;
    }

    @AfterEach
    void stop() {
        cli.close();
    }

    private CliFixture.Run weft(String... args) {
        return cli.weft(args);
    }

    @Test
    void publishAttachListInfoDetachUnpublish() {
        weft("network", "create", "--subnet", "192.0.2.0/24", "dev");
        weftd.controller().newSandbox("c1", dev.weft.engine.SandboxOptions.named("c1"));
        CliFixture.Run published = weft("service", "publish", "--alias", "www", "svc1.dev");
        assertThat(published.exit()).as(published.err()).isZero();
        assertThat(weft("service", "attach", "c1", "svc1.dev").exit()).isZero();
        CliFixture.Run ls = weft("service", "ls", "--net", "dev");
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
