package dev.weft.cli;

import dev.weft.daemon.Weftd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** weft network ... against a weftd working inside a throwaway host namespace. */
class NetworkCliTest {
    private CliFixture cli;
    private Weftd weftd;

    @BeforeEach
    void start() {
        cli = new CliFixture("cli");
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
    void createListInspectRemove() {
        CliFixture.Run created = weft("network", "create", "--subnet", "192.0.2.0/24", "--gateway", "192.0.2.254", "--ip-range",
                "192.0.2.128/25", "--aux-address", "printer=192.0.2.10", "--label", "team=web", "-o",
                "com.docker.network.bridge.name=wbdev", "dev");
        assertThat(created.exit()).as(created.err()).isZero();
        String id = created.out().strip();
        assertThat(id).hasSize(64);
        assertThat(weft("network", "create", "--internal", "back").exit()).isZero();

        CliFixture.Run ls = weft("network", "ls");
        assertThat(ls.out()).startsWith("NETWORK ID     NAME                 DRIVER     SCOPE")
                .contains(id.substring(0, 12) + "   dev                  bridge     local");
        assertThat(weft("network", "ls", "-q", "--filter", "label=team=web").out()).isEqualTo(id.substring(0, 12) + "\n");
        assertThat(weft("network", "ls", "--format", "json").out()).contains("\"Name\" : \"back\"");

        CliFixture.Run inspect = weft("network", "info", "dev");
        assertThat(inspect.exit()).isZero();
        assertThat(inspect.out()).contains("\"Gateway\" : \"192.0.2.254\"").contains("\"IPRange\" : \"192.0.2.128/25\"")
                .contains("\"printer\" : \"192.0.2.10\"");

        CliFixture.Run rm = weft("network", "rm", "dev", "back");
        assertThat(rm.exit()).isZero();
        assertThat(rm.out()).isEqualTo("dev\nback\n");
        assertThat(weft("network", "ls", "-q").out()).isEmpty();
    }

    @Test
    void errorsAreOneLineWithANonZeroExit() {
        weft("network", "create", "--subnet", "198.51.100.0/24", "prod");
        CliFixture.Run dup = weft("network", "create", "prod");
        assertThat(dup.exit()).isEqualTo(1);
        assertThat(dup.err()).startsWith("weft: network prod already exists").hasLineCount(1);
        CliFixture.Run overlap = weft("network", "create", "--subnet", "198.51.100.0/25", "other");
        assertThat(overlap.err()).isEqualTo("weft: subnet 198.51.100.0/25 overlaps 198.51.100.0/24, already in use\n");
        assertThat(weft("network", "rm", "nope").err()).isEqualTo("weft: network nope not found\n");
        assertThat(weft("network", "inspect", "nope").exit()).isEqualTo(1);
        CliFixture.Run badOpt = weft("network", "create", "-o", "com.docker.network.bridge.enable_icc=maybe", "x");
        assertThat(badOpt.exit()).isEqualTo(1);
        assertThat(badOpt.err()).contains("must be true or false");
        CliFixture.Run badMode = weft("network", "create", "-o", "com.docker.network.bridge.gateway_mode_ipv4=nated", "x");
        assertThat(badMode.exit()).isEqualTo(1);
        assertThat(badMode.err()).isEqualTo("weft: option com.docker.network.bridge.gateway_mode_ipv4 must be one of nat,"
                + " nat-unprotected, routed, isolated, not \"nated\"\n");
        CliFixture.Run gatewayOutside = weft("network", "create", "--subnet", "203.0.113.0/24", "--gateway", "192.0.2.1", "x");
        assertThat(gatewayOutside.err()).isEqualTo("weft: --gateway 192.0.2.1 is in none of the subnets [203.0.113.0/24]\n");
        CliFixture.Run usage = weft("network", "create");
        assertThat(usage.exit()).isEqualTo(2);
        assertThat(usage.err()).startsWith("weft: Missing required parameter: 'NAME'");
        weftd.controller().network("prod").createEndpoint("db1");
        assertThat(weft("network", "rm", "prod").err()).isEqualTo("weft: network prod has active endpoints: db1\n");
        assertThat(weft("network", "ls", "--format", "yaml").err()).startsWith("weft: unknown --format");
    }

    @Test
    void ipv6OnlyNetworks() {
        CliFixture.Run created = weft("network", "create", "--ipv4=false", "--ipv6", "--subnet", "2001:db8:7::/64", "six");
        assertThat(created.exit()).as(created.err()).isZero();
        String inspect = weft("network", "inspect", "six").out();
        assertThat(inspect).contains("\"EnableIPv4\" : false", "\"Subnet\" : \"2001:db8:7::/64\"").doesNotContain("\"Subnet\" : \"1");
        assertThat(weft("network", "create", "--ipv4=false", "--ipv6", "auto").exit()).as("a subnet from the default IPv6 pool")
                .isZero();
        assertThat(weft("network", "inspect", "auto").out()).contains("\"Subnet\" : \"fd");

        CliFixture.Run noFamily = weft("network", "create", "--ipv4=false", "x");
        assertThat(noFamily.exit()).isEqualTo(1);
        assertThat(noFamily.err()).isEqualTo("weft: network x would have no address family: IPv4 disabled (--ipv4=false)"
                + " needs IPv6 enabled (--ipv6)\n");
        CliFixture.Run v4Subnet = weft("network", "create", "--ipv4=false", "--ipv6", "--subnet", "192.0.2.0/24", "x");
        assertThat(v4Subnet.exit()).isEqualTo(1);
        assertThat(v4Subnet.err()).isEqualTo("weft: IPv4 subnet 192.0.2.0/24 given but IPv4 is disabled for network x"
                + " (--ipv4=false)\n");
        assertThat(weft("network", "ls", "-q").out().lines()).hasSize(2);
    }

    @Test
    void connectDisconnectAndPrune() {
        weft("network", "create", "--subnet", "192.0.2.0/24", "dev");
        weft("network", "create", "spare");
        weftd.controller().newSandbox("web", dev.weft.engine.SandboxOptions.named("web"));
        CliFixture.Run connect = weft("network", "connect", "--ip", "192.0.2.50", "--alias", "www", "dev", "web");
        assertThat(connect.exit()).as(connect.err()).isZero();
        assertThat(weft("network", "inspect", "dev").out()).contains("\"IPv4Address\" : \"192.0.2.50/24\"");
        assertThat(weft("network", "connect", "dev", "nosuch").err()).isEqualTo("weft: no such container: nosuch\n");
        CliFixture.Run prune = weft("network", "prune", "-f");
        assertThat(prune.out()).isEqualTo("Deleted Networks:\nspare\n");
        assertThat(weft("network", "disconnect", "dev", "web").exit()).isZero();
        assertThat(weft("network", "disconnect", "dev", "web").err())
                .isEqualTo("weft: container web is not connected to network dev\n");
        assertThat(weft("network", "prune").out()).isEqualTo("Deleted Networks:\ndev\n");
    }

    @Test
    void noDaemonIsAClearError() {
        StringWriter err = new StringWriter();
        int exit = WeftCli.run(new String[] {"-H", "unix://" + cli.runDir.path().resolve("none.sock"), "network", "ls"},
                new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).startsWith("weft: cannot connect to weftd at unix://").contains("is weftd running?");
    }
}
