package dev.weft.daemon;

import dev.weft.engine.Controller;
import dev.weft.engine.EndpointOptions;
import dev.weft.engine.IpamConfig;
import dev.weft.engine.Network;
import dev.weft.engine.NetworkConfig;
import dev.weft.engine.PortBinding;
import dev.weft.engine.Sandbox;
import dev.weft.engine.SandboxOptions;
import dev.weft.linux.netns.Netns;
import dev.weft.linux.rtnl.Route;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.net.IpPrefix;
import dev.weft.testkit.SimulatedHost;
import dev.weft.testkit.SimulatedHosts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The firewall heals itself (issue 16, item 4), with packets as proof, on two simulated hosts:
 * weftd serves the first (203.0.113.1), whose default route leads to the second (203.0.113.2),
 * the "outside". A published port, masquerade and isolation between two networks work; someone
 * runs {@code nft flush ruleset}, deletes weft's table, one of its chains or a published port's
 * map element in the host; within
 * a second, with no restart, all three work again. weft's own changes never count as damage.
 */
class FirewallHealTest {
    private static final String HOST = "203.0.113.1";
    private static final String OUTSIDE = "203.0.113.2";
    private static final long HEAL_LIMIT_MILLIS = 1000;
    private SimulatedHosts hosts;
    private SimulatedHost hostMachine;
    private DaemonFixture daemon;
    private Controller controller;
    private final List<AutoCloseable> servers = new ArrayList<>();
    private Sandbox web;
    private String backAddress;

    @BeforeEach
    void start() throws Exception {
        hosts = SimulatedHosts.create(2, IpPrefix.parse("203.0.113.0/24"), 1500);
        hostMachine = hosts.get(0);
        try (Rtnetlink h = hostMachine.rtnetlink()) {
            h.routes().add(Route.defaultVia(IpPrefix.parseAddress(OUTSIDE)));
        }
        daemon = new DaemonFixture(hostMachine.netns(), "heal", false);
        controller = daemon.weftd.controller();
        Network front = bridge("front", "192.0.2.0/25");
        Network back = bridge("back", "198.51.100.0/24");
        web = container(front, "web", EndpointOptions.publishing(PortBinding.parse("8080:80")));
        Sandbox db = container(back, "db", EndpointOptions.none());
        backAddress = IpPrefix.format(back.endpoint("db").ipv4().address());
        try (Netns ns = Netns.open(web.netnsPath())) {
            server(ns, 80);
        }
        try (Netns ns = Netns.open(db.netnsPath())) {
            server(ns, 5432);
        }
        server(hosts.get(1).netns(), 7000);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable s : servers) {
            s.close();
        }
        try {
            daemon.close();
        } finally {
            hosts.close();
        }
    }

    private Network bridge(String name, String subnet) {
        return controller.newNetwork(NetworkConfig.of(name, "bridge").withIpv4(IpamConfig.subnet(subnet)));
    }

    private Sandbox container(Network net, String name, EndpointOptions options) {
        Sandbox sb = controller.newSandbox(name, SandboxOptions.named(name));
        net.createEndpoint(name, options).join(sb);
        return sb;
    }

    /** A TCP server inside {@code ns} that answers every connection with its peer's address. */
    private void server(Netns ns, int port) {
        ServerSocketChannel server = ns.call(() -> ServerSocketChannel.open().bind(new InetSocketAddress(port)));
        servers.add(server);
        Thread.ofVirtual().start(() -> {
            while (server.isOpen()) {
                try (SocketChannel c = server.accept()) {
                    String peer = ((InetSocketAddress) c.getRemoteAddress()).getAddress().getHostAddress();
                    c.write(ByteBuffer.wrap(peer.getBytes(StandardCharsets.UTF_8)));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    /** Connects from inside {@code ns}; what the server answered, or null if no answer came within {@code millis}. */
    private static String connect(Netns ns, String ip, int port, int millis) {
        return ns.call(() -> {
            try (Socket c = new Socket()) {
                c.connect(new InetSocketAddress(ip, port), millis);
                c.setSoTimeout(millis); // a port held but not forwarded accepts and never answers
                byte[] b = c.getInputStream().readNBytes(64);
                return b.length == 0 ? null : new String(b, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return null;
            }
        });
    }

    private String fromOutsideToPublishedPort(int millis) {
        return connect(hosts.get(1).netns(), HOST, 8080, millis);
    }

    private String fromWeb(String ip, int port, int millis) {
        try (Netns ns = Netns.open(web.netnsPath())) {
            return connect(ns, ip, port, millis);
        }
    }

    /** The published port, masquerade and isolation all work as weft's rules make them. */
    private void assertFirewallWorks(String when) {
        assertThat(fromOutsideToPublishedPort(1500)).as("published port " + when).isEqualTo(OUTSIDE);
        assertThat(fromWeb(OUTSIDE, 7000, 1500)).as("masquerade " + when).isEqualTo(HOST);
        assertThat(fromWeb(backAddress, 5432, 300)).as("isolation between networks " + when).isNull();
    }

    /** Milliseconds from now until {@code works} holds; fails past five seconds. */
    private static long millisUntil(BooleanSupplier works) throws InterruptedException {
        long start = System.nanoTime();
        while (!works.getAsBoolean()) {
            assertThat(System.nanoTime() - start).as("healed within 5 s").isLessThan(5_000_000_000L);
            Thread.sleep(5);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** Breaks the firewall with {@code nft ...} in the host, returns the time until the published port works again. */
    private long breakAndTimeHeal(String... nft) throws InterruptedException {
        String[] command = new String[nft.length + 1];
        command[0] = "nft";
        System.arraycopy(nft, 0, command, 1, nft.length);
        hostMachine.exec(command);
        long millis = millisUntil(() -> fromOutsideToPublishedPort(50) != null);
        System.out.println("firewall healed after `" + String.join(" ", command) + "` in " + millis + " ms");
        return millis;
    }

    @Test
    void aFlushedRulesetIsRestoredWithinASecondWithoutARestart() throws Exception {
        assertFirewallWorks("before");
        assertThat(daemon.weftd.firewallRestores()).as("weft's own changes are no damage").isZero();

        long flush = breakAndTimeHeal("flush", "ruleset");
        assertThat(flush).isLessThan(HEAL_LIMIT_MILLIS);
        assertFirewallWorks("after the flush healed");

        long table = breakAndTimeHeal("delete", "table", "inet", "weft");
        assertThat(table).isLessThan(HEAL_LIMIT_MILLIS);
        assertFirewallWorks("after the deleted table healed");

        hostMachine.exec("nft", "flush chain inet weft forward; delete chain inet weft forward");
        long chain = millisUntil(() -> fromWeb(backAddress, 5432, 50) == null
                && hostMachine.exec("nft", "list", "chains", "inet").contains("chain forward"));
        System.out.println("firewall healed after deleting chain forward in " + chain + " ms");
        assertThat(chain).isLessThan(HEAL_LIMIT_MILLIS);
        assertFirewallWorks("after the deleted chain healed");

        long element = breakAndTimeHeal("delete", "element", "inet", "weft", "pub_any_addr", "{ tcp . 8080 }");
        assertThat(element).isLessThan(HEAL_LIMIT_MILLIS);
        assertFirewallWorks("after the deleted published-port element healed");

        Thread.sleep(1000); // a re-install that set off another would show now
        assertThat(daemon.weftd.firewallRestores()).as("one restore per break, none set off by weft's own rewrite")
                .isEqualTo(4);
    }

    @Test
    void weftsOwnChangesAndOtherTablesNeverSetOffARestore() throws Exception {
        Network extra = bridge("extra", "192.0.2.128/25");
        Sandbox api = container(extra, "api", EndpointOptions.publishing(PortBinding.parse("9090:90")));
        extra.endpoint("api").leave(api);
        extra.endpoint("api").delete();
        controller.sandbox("api").delete();
        extra.delete();
        hostMachine.exec("nft", "add table ip theirs; delete table ip theirs");
        Thread.sleep(500);
        assertThat(daemon.weftd.firewallRestores()).isZero();
        assertFirewallWorks("untouched");
    }
}
