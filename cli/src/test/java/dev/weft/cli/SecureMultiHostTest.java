package dev.weft.cli;

import dev.weft.net.IpPrefix;
import dev.weft.testkit.Certificates;
import dev.weft.testkit.RunDir;
import dev.weft.testkit.SimulatedHosts;
import dev.weft.testkit.StoreServer;
import dev.weft.testkit.WeftdProcess;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static dev.weft.cli.CliProcess.address;
import static dev.weft.cli.CliProcess.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The multi-host quick start over TLS: etcd on a third simulated host runs with
 * {@code --client-cert-auth}; two weftds with certificates of its CA share an overlay and carry
 * traffic; a weftd with a certificate of another CA, an expired one, or a wrong etcd password
 * refuses to start with one line. The API socket of a weftd started with {@code -G nogroup} is usable by that group only.
 */
class SecureMultiHostTest {

    @Test
    void overlayOverEtcdWithClientCertificates() throws Exception {
        try (SimulatedHosts hosts = SimulatedHosts.create(3); RunDir dir = new RunDir()) {
            Certificates certs = Certificates.make(dir.path().resolve("certs"), IpPrefix.format(hosts.get(2).address()));
            try (StoreServer store = StoreServer.etcdTls(hosts.get(2), dir.path().resolve("store"), certs)) {
                List<WeftdProcess> daemons = new ArrayList<>();
                try {
                    for (int i = 0; i < 2; i++) {
                        daemons.add(WeftdProcess.start(hosts.get(i), dir.path().resolve("h" + i), tlsArgs(store, certs, "client")));
                    }
                    CliProcess h1 = new CliProcess(daemons.get(0).socket());
                    CliProcess h2 = new CliProcess(daemons.get(1).socket());
                    h1.ok("run", "-d", "--name", "c1", "--publish-service=svc1.dev.overlay", "--", "sleep", "600");
                    assertThat(eventually(10, () -> h2.ok("network", "ls").contains("dev"))).as("dev reaches host 2").isTrue();
                    h2.ok("run", "-d", "--name", "c2", "--publish-service=svc2.dev.overlay", "--", "sleep", "600");
                    String ip1 = address(h2.ok("service", "info", "svc1.dev"));
                    assertThat(eventually(10, () -> h2.inside("c2", "ping -c 1 -W 1 " + ip1))).as("ping across hosts").isTrue();
                    assertThat(h1.inside("c1", "ping -c 1 -W 2 svc2")).as("and back, by name").isTrue();
                    refused(hosts, dir.path().resolve("other"), tlsArgs(store, certs, "other-client"),
                            "rejected this host's client certificate " + certs.cert("other-client"));
                    refused(hosts, dir.path().resolve("expired"), tlsArgs(store, certs, "expired-client"),
                            "the client certificate " + certs.cert("expired-client") + " expired on 2020-01-02T00:00:00Z");
                    userAuthentication(hosts, store, certs, dir.path());
                    h1.ok("rm", "-f", "c1");
                    h2.ok("rm", "-f", "c2");
                    for (WeftdProcess d : daemons) {
                        assertThat(d.terminate()).as(d.log()).isZero();
                    }
                } finally {
                    daemons.forEach(WeftdProcess::close);
                }
            }
        }
    }

    @Test
    void theApiSocketBelongsToTheGroupGiven() throws Exception {
        try (SimulatedHosts hosts = SimulatedHosts.create(1); RunDir dir = new RunDir();
             WeftdProcess weftd = WeftdProcess.start(hosts.get(0), dir.path().resolve("g"), "-G", "nogroup")) {
            PosixFileAttributes a = Files.readAttributes(weftd.socket(), PosixFileAttributes.class);
            assertThat(a.group().getName()).isEqualTo("nogroup");
            assertThat(PosixFilePermissions.toString(a.permissions())).isEqualTo("rw-rw----");
            for (Path p = weftd.socket().getParent(); p.startsWith(dir.path()); p = p.getParent()) {
                // the test's own directories only: let others reach the socket
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx--x--x"));
            }
            assertThat(curlAs("65534", weftd.socket())).as("a member of the group").isEqualTo("200");
            assertThat(curlAs("1", weftd.socket())).as("a member of another group").isEqualTo("000");
            assertThatThrownBy(() -> WeftdProcess.start(hosts.get(0), dir.path().resolve("bad"), "-G", "no-such-group-weft"))
                    .hasMessageContaining("weftd exited with 2").hasMessageContaining("weftd: --group no-such-group-weft: no such group");
        }
    }

    /**
     * etcd's users, enabled with etcdctl while the two weftds run (their certificates' name, weft,
     * becomes an etcd user): a wrong password is refused with one line, the right one starts.
     */
    private static void userAuthentication(SimulatedHosts hosts, StoreServer store, Certificates certs, Path dir) throws Exception {
        String[] ctl = {"etcdctl", "--endpoints=https://" + store.hostPort(), "--cacert", certs.ca().toString(),
                "--cert", certs.cert("client").toString(), "--key", certs.key("client").toString()};
        for (String command : List.of("user add root --new-user-password=rootpw", "user add weft --new-user-password=weftpw",
                "user grant-role weft root", "auth enable")) {
            List<String> argv = new ArrayList<>(List.of(ctl));
            argv.addAll(List.of(command.split(" ")));
            hosts.get(2).exec(argv.toArray(String[]::new));
        }
        Path wrong = Files.writeString(dir.resolve("wrong-password"), "not-it\n");
        Path right = Files.writeString(dir.resolve("password"), "weftpw\n");
        List<String> args = new ArrayList<>(List.of(tlsArgs(store, certs, "client")));
        args.addAll(List.of("--kv-user", "weft", "--kv-password-file"));
        refused(hosts, dir.resolve("wrong"), concat(args, wrong), "refused user 'weft': wrong user name or password");
        try (WeftdProcess ok = WeftdProcess.start(hosts.get(2), dir.resolve("user"), concat(args, right))) {
            assertThat(new CliProcess(ok.socket()).ok("network", "ls")).as("the right password").contains("dev");
            assertThat(ok.terminate()).isZero();
        }
    }

    private static String[] concat(List<String> args, Path last) {
        List<String> all = new ArrayList<>(args);
        all.add(last.toString());
        return all.toArray(String[]::new);
    }

    private static String curlAs(String gid, Path socket) throws Exception {
        Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=" + gid, "--clear-groups", "curl", "-s", "-o",
                "/dev/null", "-w", "%{http_code}", "--unix-socket", socket.toString(), "http://weft/v1/_ping")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        p.waitFor();
        return out;
    }

    private static String[] tlsArgs(StoreServer store, Certificates certs, String client) {
        return new String[] {"--kv-store", store.url(), "--kv-cacert", certs.ca().toString(), "--kv-cert",
                certs.cert(client).toString(), "--kv-key", certs.key(client).toString(), "--bind-interface", "eth0"};
    }

    /** weftd on the store's host exits non-zero, and its output is one line holding {@code message}. */
    private static void refused(SimulatedHosts hosts, Path dir, String[] args, String message) throws Exception {
        long start = System.nanoTime();
        assertThatThrownBy(() -> WeftdProcess.start(hosts.get(2), dir, args)).hasMessageContaining("weftd exited with");
        assertThat((System.nanoTime() - start) / 1_000_000_000L).as("refused in bounded time").isLessThan(15);
        List<String> lines = Files.readAllLines(dir.resolve("weftd.log")).stream()
                .filter(l -> !l.startsWith("WARNING:")).toList(); // the JVM's own notes on Unsafe and native access
        assertThat(lines).as("one line").hasSize(1);
        assertThat(lines.getFirst()).startsWith("weftd: ").contains(message);
    }
}
