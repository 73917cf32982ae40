package dev.weft.cli;

import dev.weft.testkit.RunDir;
import dev.weft.testkit.SimulatedHosts;
import dev.weft.testkit.WeftdProcess;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A service virtual IP typed as a user would: weft service publish --vip, three weft run
 * --publish-service backends (busybox nc servers that say their name), a client container that
 * connects to the service by name and asks for tasks.web; a detached backend gets nothing more,
 * and after weftd is killed and started again the balancing goes on.
 */
class ServiceVipCliTest {
    private CliProcess cli;

    @Test
    void aVirtualIpServiceFromTheCommandLine() throws IOException {
        try (SimulatedHosts hosts = SimulatedHosts.create(1); RunDir dir = new RunDir()) {
            try (WeftdProcess daemon = WeftdProcess.start(hosts.get(0), dir.path())) {
                cli = new CliProcess(daemon.socket());
                cli.ok("network", "create", "--subnet", "198.51.100.0/24", "dev");
                cli.ok("service", "publish", "--vip", "web.dev");
                for (String name : new String[] {"w1", "w2", "w3"}) {
                    Path say = dir.path().resolve("say-" + name);
                    Files.writeString(say, "#!/bin/sh\necho " + name + "\n");
                    Files.setPosixFilePermissions(say, PosixFilePermissions.fromString("rwxr-xr-x"));
                    cli.ok("run", "-d", "--name", name, "--publish-service", "web.dev", "--",
                            "busybox", "nc", "-ll", "-p", "8080", "-e", say.toString());
                }
                cli.ok("run", "-d", "--name", "client", "--net", "dev", "--", "sleep", "600");
                assertThat(cli.ok("service", "ls")).containsPattern("web\\s+dev\\s+vip:3 backends\\s+198\\.51\\.100\\.");
                String vip = CliProcess.address(cli.ok("service", "info", "web.dev"));
                assertThat(CliProcess.eventually(10, () -> !ask(3).containsKey("failed"))).as("the servers listen").isTrue();

                Map<String, Integer> answers = ask(60);
                assertThat(answers.keySet()).as(answers.toString()).containsExactly("w1", "w2", "w3");
                answers.values().forEach(n -> assertThat(n).as(answers.toString()).isBetween(16, 24));
                String tasks = cli.weft("exec", "client", "--", "busybox", "nslookup", "tasks.web").out();
                assertThat(tasks.lines().filter(l -> l.startsWith("Address") && l.contains("198.51.100.")).count())
                        .as(tasks).isEqualTo(3);
                String byName = cli.weft("exec", "client", "--", "busybox", "nslookup", "web").out();
                assertThat(byName).as(byName).contains(vip);

                cli.ok("service", "detach", "w2", "web.dev");
                assertThat(ask(30).keySet()).as("w2 detached").containsExactly("w1", "w3");
                assertThat(cli.fails("service", "attach", "client", "web.dev")).isEqualTo(
                        "weft: container client is already on network dev; a backend of web.dev joins the network through the service");

                daemon.kill();
                daemon.restart();
                assertThat(ask(30).keySet()).as("after weftd was killed and started again").containsExactly("w1", "w3");
                cli.ok("rm", "-f", "w1", "w2", "w3", "client");
                cli.ok("service", "unpublish", "web.dev");
                cli.ok("network", "rm", "dev");
            }
        }
    }

    /** {@code count} new connections from the client container to web:8080; who answered, how often. */
    private Map<String, Integer> ask(int count) {
        String out = cli.weft("exec", "client", "--", "sh", "-c",
                "i=0; while [ $i -lt " + count + " ]; do busybox nc -w 2 web 8080 </dev/null || echo failed; i=$((i+1)); done").out();
        Map<String, Integer> answers = new TreeMap<>();
        out.lines().map(String::strip).filter(l -> !l.isEmpty()).forEach(l -> answers.merge(l, 1, Integer::sum));
        return answers;
    }
}
