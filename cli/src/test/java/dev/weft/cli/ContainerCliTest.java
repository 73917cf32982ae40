package dev.weft.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** weft run, ps, logs, exec and rm against a weftd in a throwaway host namespace. */
class ContainerCliTest {
    private CliFixture cli;

    @BeforeEach
    void start() {
        cli = new CliFixture("ctrcli");
        cli.weft("network", "create", "--subnet", "192.0.2.0/24", "dev");
    }

    @AfterEach
    void stop() {
        cli.removeContainersAndClose();
    }

    @Test
    void runPsExecLogsRm() {
        CliFixture.Run web = cli.weft("run", "-d", "--name", "web", "--net", "dev", "--", "sleep", "300");
        assertThat(web.exit()).as(web.err()).isZero();
        assertThat(cli.weft("run", "-d", "--name", "client", "--hostname", "box", "--net", "dev", "--", "sleep", "300").exit())
                .isZero();
        assertThat(cli.weft("exec", "client", "--", "ping", "-c", "1", "-W", "2", "web").exit()).as("ping by name").isZero();
        assertThat(cli.weft("exec", "client", "--", "sh", "-c", "test \"$(hostname)\" = box").exit()).isZero();
        assertThat(cli.weft("exec", "client", "--", "sh", "-c", "exit 4").exit()).isEqualTo(4);
        CliFixture.Run ps = cli.weft("ps");
        assertThat(ps.out()).startsWith("CONTAINER ID").contains("web").contains("sleep 300").contains("running").contains("dev");

        CliFixture.Run once = cli.weft("run", "--name", "once", "--net", "dev", "--", "sh", "-c", "echo hi from $(hostname); exit 3");
        assertThat(once.exit()).isEqualTo(3);
        assertThat(once.out()).isEqualTo("hi from once\n");
        assertThat(cli.weft("logs", "once").out()).isEqualTo("hi from once\n");
        assertThat(cli.weft("ps").out()).doesNotContain("once");
        assertThat(cli.weft("ps", "-a").out()).contains("exited (3)");

        assertThat(cli.weft("rm", "web").err()).isEqualTo("weft: container web is running; stop it first or use force\n");
        assertThat(cli.weft("rm", "-f", "web", "once").out()).isEqualTo("web\nonce\n");
        assertThat(cli.weft("logs", "web").err()).isEqualTo("weft: no such container: web\n");
        assertThat(cli.weft("run", "--net", "nope", "--", "true").err()).isEqualTo("weft: network nope not found\n");
    }
}
