package dev.weft.cli;

import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.testkit.RunDir;
import dev.weft.testkit.SimulatedHost;
import dev.weft.testkit.SimulatedHosts;
import dev.weft.testkit.WeftdProcess;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed quick start's single-host half, typed as a user would: weftd is a process of its own
 * in a simulated host, every weft command is a process of its own, containers are real, names are
 * checked with dig and nslookup inside them. Then weftd is killed with SIGKILL and started again:
 * the containers keep running, keep their addresses and still resolve each other. Last, the error
 * paths and a clean-up that leaves nothing behind.
 */
class QuickStartTest {
    private WeftdProcess weftd;
    private CliProcess cli;

    private CliProcess.Run weft(String... args) {
        return cli.weft(args);
    }

    private String ok(String... args) {
        return cli.ok(args);
    }

    private String fails(String... args) {
        return cli.fails(args);
    }

    private boolean inside(String container, String script) {
        return cli.inside(container, script);
    }

    @Test
    void singleHostQuickStartSurvivesADaemonKillAndCleansUp() {
        try (SimulatedHosts hosts = SimulatedHosts.create(1); RunDir dir = new RunDir()) {
            try (WeftdProcess daemon = WeftdProcess.start(hosts.get(0), dir.path())) {
                weftd = daemon;
                cli = new CliProcess(daemon.socket());
                quickStart(hosts.get(0));
            }
        }
    }

    private void quickStart(SimulatedHost host) {
        String netId = ok("network", "create", "-d", "bridge", "--subnet", "198.51.100.0/24", "dev").strip();
        assertThat(netId).hasSize(64);
        assertThat(ok("network", "ls")).contains(netId.substring(0, 12)).containsPattern("dev\\s+bridge\\s+local");
        assertThat(ok("network", "info", "dev")).contains("\"Name\" : \"dev\"").contains("198.51.100.0/24");

        // the detailed set-up: publish, start a container, attach it
        ok("service", "publish", "svc1.dev");
        String cid = ok("run", "-d", "-p", "8000:8000", "--", "sleep", "600").strip();
        ok("service", "attach", cid, "svc1.dev");
        // the short form: publish and attach at run
        ok("run", "-d", "--name", "c2", "--publish-service=svc2.dev", "--", "sleep", "600");
        String services = ok("service", "ls");
        assertThat(services).startsWith("SERVICE ID").contains("svc1").contains("svc2").contains(cid.substring(0, 12));
        String ip1 = CliProcess.address(ok("service", "info", "svc1.dev"));
        String ip2 = CliProcess.address(ok("service", "info", "svc2.dev"));

        assertPingsAndNames(ip1, ip2);

        weftd.kill();
        weftd.restart();
        assertThat(ok("ps")).contains("c2").contains(cid.substring(0, 12)).doesNotContain("exited");
        assertThat(CliProcess.address(ok("service", "info", "svc1.dev"))).as("address kept across a SIGKILL").isEqualTo(ip1);
        assertThat(CliProcess.address(ok("service", "info", "svc2.dev"))).isEqualTo(ip2);
        assertPingsAndNames(ip1, ip2);

        errorPaths();

        ok("service", "detach", cid, "svc1.dev");
        assertThat(inside("c2", "ping -c 1 -W 1 svc1")).as("a detached service no longer resolves").isFalse();
        ok("service", "unpublish", "svc1.dev");
        ok("rm", "-f", cid, "c2");
        ok("service", "unpublish", "svc2.dev");
        assertThat(ok("ps", "-a")).doesNotContain("sleep");
        ok("network", "rm", "dev");
        assertThat(weftd.terminate()).isZero();
        try (Rtnetlink nl = host.rtnetlink()) {
            assertThat(nl.links().list()).extracting(Link::name).containsExactlyInAnyOrder("lo", "eth0");
        }
        assertThat(dir(weftd, "run/sandboxes")).isEmpty();
    }

    private void assertPingsAndNames(String ip1, String ip2) {
        assertThat(inside("c2", "ping -c 1 -W 2 " + ip1)).as("ping by IP").isTrue();
        assertThat(inside("c2", "ping -c 1 -W 2 svc1")).as("ping by service name").isTrue();
        assertThat(inside("c2", "ping -c 1 -W 2 svc1.dev")).as("ping by SVC.NET").isTrue();
        assertThat(inside("c2", "test \"$(dig +short svc1)\" = " + ip1)).as("dig svc1").isTrue();
        assertThat(inside("c2", "test \"$(dig +short +tcp svc1.dev)\" = " + ip1)).as("dig over TCP").isTrue();
        assertThat(inside("c2", "dig -x " + ip1 + " +short | grep -q '^svc1'")).as("PTR").isTrue();
        assertThat(inside("c2", "dig nosuch | grep -q 'status: NXDOMAIN'")).as("NXDOMAIN").isTrue();
        assertThat(inside("c2", "nslookup svc1.dev | grep -q 'Address: " + ip1 + "'")).as("nslookup").isTrue();
        assertThat(inside("c2", "test \"$(hostname)\" = c2 && grep -q '" + ip2 + "\tc2' /etc/hosts")).isTrue();
    }

    private void errorPaths() {
        assertThat(fails("network", "create", "--subnet", "198.51.100.0/24", "dev")).contains("network dev already exists");
        assertThat(fails("network", "create", "--subnet", "198.51.100.128/25", "other")).contains("overlaps");
        assertThat(fails("network", "info", "nope")).isEqualTo("weft: network nope not found");
        CliProcess.Run usage = weft("network", "create", "-o", "novalue", "bad");
        assertThat(usage.exit()).as("a usage error").isEqualTo(2);
        assertThat(usage.err()).startsWith("weft: ").contains("KEY=VALUE").endsWith("(see 'weft network create --help')\n");
        assertThat(fails("network", "create", "-o", "com.docker.network.bridge.enable_icc=maybe", "bad")).contains("maybe");
        assertThat(fails("network", "rm", "dev")).contains("dev");
        assertThat(fails("run", "--net", "nope", "--", "true")).isEqualTo("weft: network nope not found");
        assertThat(fails("run", "--dns", "resolver", "--", "true")).contains("resolver");
        assertThat(fails("service", "attach", "nobody", "svc1.dev")).contains("nobody");
        assertThat(ok("network", "ls")).doesNotContain("bad").doesNotContain("other");
    }

    private static List<String> dir(WeftdProcess weftd, String sub) {
        java.nio.file.Path d = weftd.socket().getParent().resolve(sub);
        if (!java.nio.file.Files.isDirectory(d)) {
            return List.of();
        }
        try (var s = java.nio.file.Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
