package dev.weft.loris;

import dev.weft.linux.netns.Netns;
import dev.weft.linux.rtnl.Rtnetlink;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.weft.loris.LorisHosts.ping;
import static dev.weft.loris.LorisHosts.pingSoon;
import static dev.weft.loris.LorisHosts.tcp;
import static dev.weft.loris.LorisHosts.udp;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three simulated hosts, each with its own Open vSwitch (userspace datapath), joined by loris:
 * containers in pods 1 and 2 and in the global pod on every host; packets as proof.
 */
class LorisClusterTest {

    /** Per host: pod 1, pod 2, global pod containers and their addresses. */
    private record Pods(Netns[] pod1, Netns[] pod2, Netns[] global) {
    }

    private static String pod1(int i) {
        return "198.51.100.1" + (i + 1);
    }

    private static String pod2(int i) {
        return "198.51.100.2" + (i + 1);
    }

    private static String global(int i) {
        return "203.0.113." + (i + 1);
    }

    private static Pods setUp(LorisHosts lh, String tunnel) {
        int n = lh.hosts.size();
        Pods pods = new Pods(new Netns[n], new Netns[n], new Netns[n]);
        for (int i = 0; i < n; i++) {
            assertThat(lh.ok(i, "init")).contains("created bridge loris0").contains("moved 192.0.2." + (i + 1) + "/24");
            assertThat(lh.ok(i, "init")).as("init is idempotent").isBlank();
        }
        for (int i = 0; i < n; i++) {
            List<String> others = new java.util.ArrayList<>();
            for (int j = 0; j < n; j++) {
                others.add("192.0.2." + (j + 1)); // its own address is skipped
            }
            List<String> args = new java.util.ArrayList<>(List.of("cluster", "--tunnel", tunnel));
            args.addAll(others);
            assertThat(lh.ok(i, args.toArray(String[]::new))).contains("added " + tunnel + " tunnel");
            pods.pod1()[i] = lh.container("p1");
            pods.pod2()[i] = lh.container("p2");
            pods.global()[i] = lh.container("g");
            lh.ok(i, "connect", pods.pod1()[i].path().toString(), pod1(i) + "/24", "1");
            lh.ok(i, "connect", pods.pod2()[i].path().toString(), pod2(i) + "/24", "2");
            lh.ok(i, "connect", pods.global()[i].path().toString(), global(i) + "/24");
        }
        return pods;
    }

    @Test
    void vxlanPodsReachEachOtherAcrossHostsAndNothingElseThenSurviveChangesAndCleanUp() throws Exception {
        try (LorisHosts lh = new LorisHosts(3)) {
            Pods p = setUp(lh, "vxlan");
            for (int j = 1; j < 3; j++) {
                assertThat(pingSoon(p.pod1()[0], pod1(j))).as("pod 1 host 0 -> host " + j).isTrue();
                assertThat(pingSoon(p.pod2()[0], pod2(j))).as("pod 2 host 0 -> host " + j).isTrue();
                assertThat(pingSoon(p.global()[0], global(j))).as("global host 0 -> host " + j).isTrue();
                assertThat(tcp(p.pod1()[0], p.pod1()[j], pod1(j))).as("TCP in pod 1 to host " + j).isTrue();
                assertThat(udp(p.pod2()[0], p.pod2()[j], pod2(j))).as("UDP in pod 2 to host " + j).isTrue();
            }
            assertThat(tcp(p.global()[1], p.global()[2], global(2))).as("TCP in the global pod, host 1 -> 2").isTrue();
            for (int j = 0; j < 3; j++) {
                assertThat(ping(p.pod1()[0], pod2(j))).as("pod 1 -> pod 2 on host " + j).isFalse();
                assertThat(ping(p.pod2()[1], pod1(j))).as("pod 2 -> pod 1 on host " + j).isFalse();
                assertThat(neighbourKnown(p.pod1()[0], pod2(j))).as("ARP across pods").isFalse();
            }
            assertThat(lh.ok(0, "status")).contains("lx c0000202".replace(" ", "")).contains("vxlan to 192.0.2.3")
                    .contains("198.51.100.11/24");

            // the cluster shrinks: host 0 keeps only host 1
            assertThat(lh.ok(0, "cluster", "192.0.2.2")).contains("removed vxlan tunnel lxc0000203 to 192.0.2.3");
            assertThat(pingSoon(p.pod1()[0], pod1(1))).isTrue();
            assertThat(ping(p.pod1()[0], pod1(2))).as("no tunnel to host 2 any more").isFalse();

            // ovs-vswitchd dies and comes back: the datapath is rebuilt from OVSDB, and the host's address
            // stayed on the internal port (a persistent TAP), so pods work across hosts again with no loris command
            lh.ovs.get(1).killVswitchd();
            assertThat(underlayAddresses(lh, 1)).as("address kept while ovs-vswitchd is down").contains("192.0.2.2/24");
            assertThat(ping(p.pod1()[0], pod1(1))).as("nothing forwards on host 1 while it is down").isFalse();
            lh.ovs.get(1).startVswitchd();
            assertThat(pingSoon(p.pod1()[0], pod1(1))).as("pod 1 after host 1's ovs-vswitchd restarted").isTrue();
            assertThat(tcp(p.pod1()[1], p.pod1()[0], pod1(0))).as("TCP after the restart").isTrue();
            assertThat(udp(p.global()[0], p.global()[1], global(1))).as("UDP after the restart").isTrue();
            assertThat(lh.ok(1, "init")).as("init finds nothing to do after the restart").isBlank();

            // exit --cleanup deletes the internal port; it comes back bare, and init (the rc.local line) restores it
            lh.ovs.get(1).appctl("exit", "--cleanup");
            for (int t = 0; t < 100 && lh.ovs.get(1).vswitchdRunning(); t++) {
                Thread.sleep(100); // it answers first and cleans up after
            }
            lh.ovs.get(1).killVswitchd();
            assertThat(underlayAddresses(lh, 1)).as("lorisul gone with --cleanup").isEmpty();
            lh.ovs.get(1).startVswitchd();
            assertThat(lh.ok(1, "init")).contains("moved 192.0.2.2/24");
            assertThat(pingSoon(p.pod1()[0], pod1(1))).as("pod 1 after exit --cleanup and init").isTrue();
            assertThat(tcp(p.pod1()[0], p.pod1()[1], pod1(1))).as("TCP after exit --cleanup and init").isTrue();

            for (int i = 0; i < 3; i++) {
                assertThat(lh.ok(i, "cleanup")).contains("removed bridge loris0");
                assertThat(lh.ok(i, "cleanup")).as("cleanup is idempotent").isBlank();
                assertThat(lh.ovs.get(i).vsctl("list-br").trim()).isEmpty();
                try (Rtnetlink nl = lh.host(i).rtnetlink()) {
                    assertThat(nl.links().list()).noneMatch(l -> l.name().startsWith("lv") || l.name().startsWith("loris"));
                    String own = "192.0.2." + (i + 1) + "/24";
                    assertThat(nl.addresses().list("eth0")).anyMatch(a -> a.prefix().toString().equals(own));
                }
                assertThat(p.pod1()[i].call(() -> {
                    try (Rtnetlink nl = Rtnetlink.open()) {
                        return nl.links().find("eth1").isPresent();
                    }
                })).as("container interface removed").isFalse();
            }
            assertThat(lh.host(0).ping(lh.host(2).address())).as("host addresses back on eth0").isTrue();
        }
    }

    @Test
    void greTunnelsCarryPodsToo() throws Exception {
        try (LorisHosts lh = new LorisHosts(3)) {
            Pods p = setUp(lh, "gre");
            assertThat(lh.ovs.get(0).vsctl("get", "interface", "lgc0000202", "type").trim()).isEqualTo("gre");
            assertThat(lh.ovs.get(0).vsctl("get", "port", "lgc0000202", "protected").trim()).isEqualTo("true");
            for (int j = 1; j < 3; j++) {
                assertThat(pingSoon(p.pod2()[0], pod2(j))).as("pod 2 over GRE to host " + j).isTrue();
                assertThat(tcp(p.global()[0], p.global()[j], global(j))).as("TCP over GRE to host " + j).isTrue();
                assertThat(udp(p.pod1()[j], p.pod1()[0], pod1(0))).as("UDP over GRE from host " + j).isTrue();
                assertThat(ping(p.pod1()[0], pod2(j))).isFalse();
            }
            // switching the tunnel type replaces every tunnel
            assertThat(lh.ok(0, "cluster", "--tunnel", "vxlan", "192.0.2.2", "192.0.2.3"))
                    .contains("removed gre tunnel").contains("added vxlan tunnel lxc0000202");
            for (int i = 0; i < 3; i++) {
                lh.ok(i, "cleanup");
            }
        }
    }

    private static List<String> underlayAddresses(LorisHosts lh, int i) {
        try (Rtnetlink nl = lh.host(i).rtnetlink()) {
            if (nl.links().find("lorisul").isEmpty()) {
                return List.of();
            }
            return nl.addresses().list("lorisul").stream().map(a -> a.prefix().toString()).toList();
        }
    }

    private static boolean neighbourKnown(Netns ns, String ip) throws Exception {
        return ns.call(() -> {
            try (Rtnetlink nl = Rtnetlink.open()) {
                return nl.neighbours().list("eth1").stream()
                        .anyMatch(n -> n.ip().getHostAddress().equals(ip) && n.mac() != null);
            }
        });
    }
}
