package dev.weft.loris;

import dev.weft.linux.netns.Netns;
import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.Rtnetlink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad input: one line on stderr, exit status 1, and nothing changed (database, host and container links). */
class LorisBadInputTest {
    private static LorisHosts lh;
    private static Netns c1;
    private static Netns c2;

    @BeforeAll
    static void setUp() {
        lh = new LorisHosts(1);
        lh.ok(0, "init");
        c1 = lh.container("b1");
        c2 = lh.container("b2");
        lh.ok(0, "connect", c1.path().toString(), "198.51.100.5/24", "1");
    }

    @AfterAll
    static void tearDown() {
        if (lh != null) {
            lh.close();
        }
    }

    private static String snapshot() throws Exception {
        String links;
        try (Rtnetlink nl = lh.host(0).rtnetlink()) {
            links = nl.links().list().stream().map(Link::name).sorted().toList().toString();
        }
        String inside = c2.call(() -> {
            try (Rtnetlink nl = Rtnetlink.open()) {
                return nl.links().list().stream().map(Link::name).sorted().toList().toString();
            }
        });
        return lh.ovs.get(0).vsctl("show") + lh.ovs.get(0).vsctl("list", "port") + links + inside;
    }

    private static void refused(String message, String... args) throws Exception {
        String before = snapshot();
        LorisHosts.Run r = lh.loris(0, args);
        assertThat(r.exit()).as("exit status of loris " + String.join(" ", args)).isEqualTo(1);
        assertThat(r.err()).startsWith("loris: ").contains(message).hasLineCount(1);
        assertThat(r.out()).isEmpty();
        assertThat(snapshot()).as("nothing changed").isEqualTo(before);
    }

    @Test
    void unknownContainers() throws Exception {
        refused("no process 999999999", "connect", "999999999", "198.51.100.6/24");
        refused("no network namespace at /run/netns/wt-none", "connect", "/run/netns/wt-none", "198.51.100.6/24");
        refused("weftd", "-H", "unix:///run/wt-none/weft.sock", "connect", "web1", "198.51.100.6/24");
        refused("bad container name", "connect", "a b", "198.51.100.6/24");
    }

    @Test
    void badAddressesPodsAndMacs() throws Exception {
        String c = c2.path().toString();
        refused("bad address \"198.51.100.300/24\"", "connect", c, "198.51.100.300/24");
        refused("bad address \"198.51.100.6\"", "connect", c, "198.51.100.6");
        refused("pod number 0 is out of range 1-4093", "connect", c, "198.51.100.6/24", "0");
        refused("pod number 4094 is out of range", "connect", c, "198.51.100.6/24", "4094");
        refused("Invalid value for positional parameter", "connect", c, "198.51.100.6/24", "x");
        refused("bad MAC address", "connect", c, "198.51.100.6/24", "--mac", "01:00:5e:00:00:01");
        refused("bad remote host address \"host2\"", "cluster", "host2");
        refused("unknown tunnel type \"ipip\"", "cluster", "--tunnel", "ipip", "192.0.2.9");
    }

    @Test
    void aDuplicateMacIsRefusedWithinAPodOnly() throws Exception {
        String port = lh.ovs.get(0).vsctl("--bare", "--columns=name", "find", "port", "external_ids:loris-pod=1").trim();
        String mac = lh.ovs.get(0).vsctl("get", "port", port, "external_ids:loris-mac").replace("\"", "").trim();
        assertThat(mac).isEqualTo("0a:58:c6:33:64:05");
        refused("MAC address 0a:58:c6:33:64:05 is already used in pod 1", "connect", c2.path().toString(), "198.51.100.6/24", "1",
                "--mac", mac);
        // the same MAC in another pod is fine
        assertThat(lh.ok(0, "connect", c2.path().toString(), "198.51.100.6/24", "2", "--mac", mac)).contains("pod 2");
        lh.ok(0, "disconnect", c2.path().toString(), "eth1");
    }

    @Test
    void ovsdbNotRunning() throws Exception {
        refused("cannot connect to the OVSDB server at unix:/run/wt-none/db.sock", "--db=unix:/run/wt-none/db.sock", "status");
        refused("is ovsdb-server running?", "--db=unix:/run/wt-none/db.sock", "connect", c2.path().toString(), "198.51.100.6/24");
    }

    @Test
    void disconnectingWhatIsNotConnected() throws Exception {
        refused("has no loris interface", "disconnect", c2.path().toString());
        assertThat(List.of(lh.ok(0, "status").split("\n"))).anyMatch(l -> l.contains("198.51.100.5/24") && l.contains(" 1 "));
    }
}
