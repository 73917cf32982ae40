package dev.weft.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.linux.TestNamespaces;
import dev.weft.linux.netns.Netns;
import dev.weft.testkit.JavaMain;
import dev.weft.testkit.OpenVswitch;
import dev.weft.testkit.SimulatedHost;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * loris against weft, in one run on the same simulated hosts.
 *
 * <p>{@code throughput}: TCP between containers on two hosts over loris (Open vSwitch userspace
 * datapath, VXLAN) against weft's kernel VXLAN overlay. Each repeat measures weft's overlay with
 * loris cleaned up, then runs loris init, cluster and connect, measures loris and cleans it up
 * again (loris init moves the host address onto an Open vSwitch port, which would put weft's
 * tunnel through Open vSwitch too).
 *
 * <p>{@code connect}: the wall time of {@code loris connect} (a process, JVM start included) against
 * the floor of doing the same by hand as processes: {@code ip link add ... netns}, {@code ip addr},
 * {@code ip link set up}, {@code ethtool -K tx off} and {@code ovs-vsctl add-port ... tag=N}, in one
 * shell inside the host; and {@code loris --version} as the JVM start-up floor.
 *
 * <p>Usage: LorisBenchmark throughput [-t SECONDS] [-r REPEATS] | connect [-n ROUNDS].
 */
public final class LorisBenchmark {
    private LorisBenchmark() {
    }

    public static void main(String[] args) {
        if (args.length == 0 || !List.of("throughput", "connect").contains(args[0])) {
            throw new IllegalArgumentException("usage: throughput [-t SECONDS] [-r REPEATS] | connect [-n ROUNDS]");
        }
        int seconds = 10;
        int repeats = 3;
        int rounds = 20;
        for (int i = 1; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "-t" -> seconds = Integer.parseInt(args[i + 1]);
                case "-r" -> repeats = Integer.parseInt(args[i + 1]);
                case "-n" -> rounds = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        StringBuilder out = new StringBuilder();
        out.append("- date: ").append(java.time.Instant.now()).append('\n');
        out.append("- machine: nproc ").append(Runtime.getRuntime().availableProcessors()).append(", kernel ")
                .append(OverlayCluster.exec(List.of("uname", "-r")).strip()).append(", ")
                .append(OverlayCluster.exec(List.of("ovs-vswitchd", "--version")).lines().findFirst().orElse("?")).append('\n');
        try {
            if (args[0].equals("throughput")) {
                throughput(out, seconds, repeats);
            } else {
                connect(out, rounds);
            }
        } finally {
            System.out.print(out); // what was measured, also when a later step failed
        }
    }

    /** loris as a process inside {@code host}; fails on a non-zero exit. */
    static String loris(SimulatedHost host, OpenVswitch ovs, String... args) {
        List<String> all = new ArrayList<>(List.of("--db=" + ovs.dbUrl()));
        all.addAll(List.of(args));
        return OverlayCluster.exec(host.command(JavaMain.command("dev.weft.loris.LorisCli", all).toArray(String[]::new)));
    }

    /**
     * loris as a user runs it, {@code bin/loris} (with its AOT cache when scripts/build made one) under
     * the tree given as -Dweft.root, else the JVM of this class path; LORIS_TIMING set; its output.
     */
    private static String timed(SimulatedHost host, OpenVswitch ovs, String... args) {
        List<String> all = new ArrayList<>(List.of("--db=" + ovs.dbUrl()));
        all.addAll(List.of(args));
        List<String> argv = new ArrayList<>(List.of("env", "LORIS_TIMING=1"));
        java.nio.file.Path launcher = java.nio.file.Path.of(System.getProperty("weft.root", "."), "bin", "loris");
        if (java.nio.file.Files.isExecutable(launcher)) {
            argv.add(launcher.toString());
            argv.addAll(all);
        } else {
            argv.addAll(JavaMain.command("dev.weft.loris.LorisCli", all));
        }
        return OverlayCluster.exec(host.command(argv.toArray(String[]::new)));
    }

    private static void throughput(StringBuilder out, int seconds, int repeats) {
        try (OverlayCluster c = new OverlayCluster(2).closeOnSignal(); TestNamespaces ns = new TestNamespaces()) {
            List<OpenVswitch> ovs = new ArrayList<>();
            try {
                for (int h = 0; h < 2; h++) {
                    ovs.add(OpenVswitch.start(c.host(h), true));
                }
                c.api(0).post("/v1/networks/create", Map.of("Name", "ovt", "Driver", "overlay",
                        "IPAM", Map.of("Config", List.of(Map.of("Subnet", "198.51.100.0/24")))));
                OverlayCluster.await("network on host 2", 30, () -> c.api(1).call("GET", "/v1/networks/ovt", null).status() == 200);
                String weftServer = c.run(0, "srv", List.of("ovt"));
                String weftClient = c.run(1, "cli", List.of("ovt"));
                String weftIp = c.address(0, "srv", "ovt");
                Netns ls = ns.create("ls");
                Netns lc = ns.create("lc");
                out.append(String.format(Locale.ROOT, "- iperf3 -c IP -t %d -O 1 (one TCP stream, the first second omitted), %d repeats;"
                        + " weft's overlay (MTU 1450) then loris (VXLAN, userspace datapath, MTU 1400) each repeat%n%n", seconds, repeats));
                out.append("| repeat | path | Gbit/s received | retransmits |\n|--:|---|--:|--:|\n");
                List<Double> weft = new ArrayList<>();
                List<Double> loris = new ArrayList<>();
                for (int r = 1; r <= repeats; r++) {
                    System.err.printf("loris throughput: repeat %d, weft overlay%n", r);
                    weft.add(iperf(c, out, r, "weft overlay", weftServer, weftClient, weftIp, seconds));
                    for (int h = 0; h < 2; h++) {
                        loris(c.host(h), ovs.get(h), "init", "--underlay", "eth0");
                        loris(c.host(h), ovs.get(h), "cluster", "192.0.2.1", "192.0.2.2");
                    }
                    loris(c.host(0), ovs.get(0), "connect", ls.path().toString(), "203.0.113.1/24", "1");
                    loris(c.host(1), ovs.get(1), "connect", lc.path().toString(), "203.0.113.2/24", "1");
                    System.err.printf("loris throughput: repeat %d, loris%n", r);
                    loris.add(iperf(c, out, r, "loris", ls.path().toString(), lc.path().toString(), "203.0.113.1", seconds));
                    for (int h = 0; h < 2; h++) {
                        loris(c.host(h), ovs.get(h), "cleanup");
                    }
                    long t0 = System.nanoTime();
                    for (int h = 0; h < 2; h++) {
                        SimulatedHost host = c.host(h);
                        OverlayCluster.await("host " + h + " reaches the etcd host after cleanup", 60, () -> host.ping(c.storeHost().address()));
                    }
                    out.append(String.format(Locale.ROOT, "| %d | (after loris cleanup: hosts reach the etcd host again after %.0f ms) | | |%n",
                            r, (System.nanoTime() - t0) / 1e6));
                }
                out.append(String.format(Locale.ROOT, "%n| path | median Gbit/s | min | max |%n|---|--:|--:|--:|%n"));
                row(out, "weft overlay (kernel VXLAN)", weft);
                row(out, "loris (Open vSwitch userspace, VXLAN)", loris);
                out.append(String.format(Locale.ROOT, "%nloris / weft (medians): %.1f%%%n", 100 * OverlayThroughputBenchmark.median(loris) / OverlayThroughputBenchmark.median(weft)));
                c.remove(0, "srv");
                c.remove(1, "cli");
            } finally {
                ovs.forEach(OpenVswitch::close);
            }
        }
    }

    private static double iperf(OverlayCluster c, StringBuilder out, int r, String name, String server, String client, String ip, int seconds) {
        OverlayCluster.await(name + " reachable", 30, () -> {
            try {
                OverlayCluster.inNetns(client, "ping", "-c", "1", "-W", "1", ip);
                return true;
            } catch (IllegalStateException e) {
                return false;
            }
        });
        Process s = c.start(List.of("nsenter", "--net=" + server, "iperf3", "-s", "-1", "-B", ip));
        OverlayCluster.sleep(300);
        try {
            var j = new ObjectMapper().readTree(OverlayCluster.inNetns(client, "iperf3", "-c", ip, "-t", Integer.toString(seconds), "-O", "1", "-J"));
            double gbps = j.path("end").path("sum_received").path("bits_per_second").asDouble() / 1e9;
            out.append(String.format(Locale.ROOT, "| %d | %s | %.2f | %d |%n", r, name, gbps, j.path("end").path("sum_sent").path("retransmits").asLong()));
            return gbps;
        } catch (java.io.IOException e) {
            throw new IllegalStateException("iperf3 output is not JSON", e);
        } finally {
            s.destroy();
            c.forget(s);
        }
    }

    private static void row(StringBuilder out, String name, List<Double> v) {
        out.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f |%n", name, OverlayThroughputBenchmark.median(v),
                v.stream().mapToDouble(Double::doubleValue).min().orElse(0), v.stream().mapToDouble(Double::doubleValue).max().orElse(0)));
    }

    private static void connect(StringBuilder out, int rounds) {
        try (dev.weft.testkit.SimulatedHosts hosts = dev.weft.testkit.SimulatedHosts.create(1); TestNamespaces ns = new TestNamespaces();
             OpenVswitch ovs = OpenVswitch.start(hosts.get(0), true)) {
            SimulatedHost h = hosts.get(0);
            loris(h, ovs, "init");
            List<Double> lorisMs = new ArrayList<>();
            List<Double> floorMs = new ArrayList<>();
            List<Double> startMs = new ArrayList<>();
            List<Double> commandMs = new ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                System.err.printf("loris connect: round %d%n", i + 1);
                Netns a = ns.create("la");
                long t0 = System.nanoTime();
                String timing = timed(h, ovs, "connect", a.path().toString(), "198.51.100." + (i + 10) + "/24", "1");
                lorisMs.add((System.nanoTime() - t0) / 1e6);
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("command ([0-9.]+) ms").matcher(timing);
                if (m.find()) {
                    commandMs.add(Double.parseDouble(m.group(1)));
                }
                Netns b = ns.create("lb");
                String port = "lbf" + i;
                String script = String.join(" && ", List.of(
                        "ip link add " + port + " mtu 1400 type veth peer name eth1 mtu 1400 netns " + b.name(),
                        "ip link set " + port + " up",
                        "ip -n " + b.name() + " addr add 198.51.100." + (i + 110) + "/24 dev eth1",
                        "ip -n " + b.name() + " link set eth1 up",
                        "nsenter --net=" + b.path() + " ethtool -K eth1 tx off >/dev/null",
                        "ovs-vsctl --db=" + ovs.dbUrl() + " add-port loris0 " + port + " tag=2"));
                t0 = System.nanoTime();
                h.exec("sh", "-c", script);
                floorMs.add((System.nanoTime() - t0) / 1e6);
                t0 = System.nanoTime();
                timed(h, ovs, "--version");
                startMs.add((System.nanoTime() - t0) / 1e6);
            }
            out.append(String.format(Locale.ROOT, "- %d rounds, one host with its own ovsdb-server and ovs-vswitchd (userspace datapath)%n%n", rounds));
            out.append("| operation | median ms | min | max |\n|---|--:|--:|--:|\n");
            row(out, "`bin/loris connect NS IP/24 1` (process, JVM and launcher included)", lorisMs);
            row(out, "floor: ip link add/set, ip addr, ethtool -K, ovs-vsctl add-port (one sh)", floorMs);
            row(out, "`bin/loris --version` (launcher and JVM start-up alone)", startMs);
            row(out, "inside `loris connect`: main() to exit (class loading, OVSDB, rtnetlink, ioctl)", commandMs);
            out.append(String.format(Locale.ROOT, "%nloris connect / floor (medians): %.2fx; loris connect minus JVM start-up: %.1f ms%n",
                    OverlayThroughputBenchmark.median(lorisMs) / OverlayThroughputBenchmark.median(floorMs), OverlayThroughputBenchmark.median(lorisMs) - OverlayThroughputBenchmark.median(startMs)));
            loris(h, ovs, "cleanup");
            for (int i = 0; i < rounds; i++) {
                ovs.vsctl("--if-exists", "del-port", "lbf" + i);
            }
        }
    }
}
