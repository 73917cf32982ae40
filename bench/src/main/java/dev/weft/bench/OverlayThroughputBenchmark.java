package dev.weft.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.linux.TestNamespaces;
import dev.weft.linux.netns.Netns;
import dev.weft.testkit.SimulatedHost;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * TCP throughput over the weft overlay against a hand-built VXLAN tunnel between the same two
 * simulated hosts, in one run. Hosts 1 and 2 run weftd (etcd on host 3); overlay network "ovt"
 * (198.51.100.0/24, MTU 1500 - 50 = 1450 chosen by weft) has container srv on host 1 and cli on
 * host 2. The hand-built path copies weft's data path with ip and bridge commands: in each host's
 * namespace a VXLAN device (VNI 15000000, local = the host's underlay address, UDP 4789 shared
 * with weft's device, learning off, UDP checksums on as weft sets them), a bridge, and a veth to
 * a namespace of its own ("container", 198.18.0.1-2/24), all with MTU 1450, and static
 * forwarding entries for the other end's MAC. iperf3 (one TCP stream unless -P) runs between the
 * containers, weft and hand-built alternating, starting with the other one every repeat.
 *
 * <p>Usage: OverlayThroughputBenchmark [-t SECONDS] [-r REPEATS] [-P STREAMS] (default 10 3 1).
 */
public final class OverlayThroughputBenchmark {
    private static final String NETWORK = "ovt";
    private static final int HAND_VNI = 15_000_000;
    private static final int MTU = 1500 - 50;

    private OverlayThroughputBenchmark() {
    }

    public static void main(String[] args) {
        int seconds = 10;
        int repeats = 3;
        int streams = 1;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "-t" -> seconds = Integer.parseInt(args[i + 1]);
                case "-r" -> repeats = Integer.parseInt(args[i + 1]);
                case "-P" -> streams = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (usage: [-t SECONDS] [-r REPEATS] [-P STREAMS])");
            }
        }
        StringBuilder out = new StringBuilder();
        out.append("- date: ").append(java.time.Instant.now()).append('\n');
        out.append("- machine: nproc ").append(Runtime.getRuntime().availableProcessors()).append(", kernel ")
                .append(OverlayCluster.exec(List.of("uname", "-r")).strip()).append(", ")
                .append(OverlayCluster.exec(List.of("iperf3", "--version")).lines().findFirst().orElse("?")).append('\n');
        try (OverlayCluster c = new OverlayCluster(2).closeOnSignal(); TestNamespaces ns = new TestNamespaces()) {
            c.api(0).post("/v1/networks/create", Map.of("Name", NETWORK, "Driver", "overlay",
                    "IPAM", Map.of("Config", List.of(Map.of("Subnet", "198.51.100.0/24")))));
            OverlayCluster.await("network on host 2", 30, () -> c.api(1).call("GET", "/v1/networks/" + NETWORK, null).status() == 200);
            String weftServer = c.run(0, "srv", List.of(NETWORK));
            String weftClient = c.run(1, "cli", List.of(NETWORK));
            String weftIp = c.address(0, "srv", NETWORK);
            Netns handServer = ns.create("ts");
            Netns handClient = ns.create("tc");
            handBuilt(c.host(0), handServer, "198.18.0.1", "02:00:c6:12:00:01", c.host(1), "02:00:c6:12:00:02");
            handBuilt(c.host(1), handClient, "198.18.0.2", "02:00:c6:12:00:02", c.host(0), "02:00:c6:12:00:01");
            String handIp = "198.18.0.1";
            List<Path> paths = List.of(
                    new Path("weft overlay (VXLAN, bridge, veth; made by weftd)", weftServer, weftClient, weftIp),
                    new Path("hand-built VXLAN (ip link add type vxlan, bridge, veth)", handServer.path().toString(),
                            handClient.path().toString(), handIp));
            for (Path p : paths) {
                out.append("- ").append(p.name()).append(": MTU inside the containers ")
                        .append(mtu(p.server())).append(" / ").append(mtu(p.client())).append('\n');
                OverlayCluster.await(p.name() + " reachable", 30, () -> {
                    try {
                        OverlayCluster.inNetns(p.client(), "ping", "-c", "1", "-W", "1", p.serverIp());
                        return true;
                    } catch (IllegalStateException e) {
                        return false;
                    }
                });
                c.start(List.of("nsenter", "--net=" + p.server(), "iperf3", "-s", "-B", p.serverIp()));
            }
            OverlayCluster.sleep(500);
            out.append(String.format(Locale.ROOT, "- iperf3 -c IP -t %d -O 1 -P %d (TCP, the first second omitted), %d repeats"
                    + " per path, alternating, starting with the other path every repeat%n%n", seconds, streams, repeats));
            out.append("| repeat | path | Gbit/s received | retransmits |\n|--:|---|--:|--:|\n");
            List<List<Double>> results = List.of(new ArrayList<>(), new ArrayList<>());
            for (int r = 0; r < repeats; r++) {
                for (int k = 0; k < 2; k++) {
                    int which = (r % 2 == 0) ? k : 1 - k;
                    Path p = paths.get(which);
                    System.err.printf("overlay throughput: repeat %d, %s%n", r + 1, p.name());
                    JsonNode j = iperf(p, seconds, streams);
                    double gbps = j.path("end").path("sum_received").path("bits_per_second").asDouble() / 1e9;
                    long retr = j.path("end").path("sum_sent").path("retransmits").asLong();
                    results.get(which).add(gbps);
                    out.append(String.format(Locale.ROOT, "| %d | %s | %.2f | %d |%n", r + 1, p.name(), gbps, retr));
                }
            }
            double weft = median(results.get(0));
            double hand = median(results.get(1));
            out.append(String.format(Locale.ROOT, "%n| path | median Gbit/s | min | max |%n|---|--:|--:|--:|%n"));
            for (int i = 0; i < 2; i++) {
                List<Double> v = results.get(i);
                out.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f |%n", paths.get(i).name(), median(v),
                        v.stream().mapToDouble(Double::doubleValue).min().orElse(0), v.stream().mapToDouble(Double::doubleValue).max().orElse(0)));
            }
            out.append(String.format(Locale.ROOT, "%nweft / hand-built (medians): %.1f%%%n", 100 * weft / hand));
            c.remove(0, "srv");
            c.remove(1, "cli");
        }
        System.out.print(out);
    }

    /** One path under test: the two containers' namespace paths and the server's address. */
    private record Path(String name, String server, String client, String serverIp) {
    }

    private static JsonNode iperf(Path p, int seconds, int streams) {
        String json = OverlayCluster.inNetns(p.client(), "iperf3", "-c", p.serverIp(), "-t", Integer.toString(seconds), "-O", "1",
                "-P", Integer.toString(streams), "-J");
        try {
            return new ObjectMapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("iperf3 output is not JSON: " + json, e);
        }
    }

    private static String mtu(String netns) {
        String link = OverlayCluster.inNetns(netns, "ip", "-o", "link", "show", "eth0"); // not /sys: nsenter keeps the host's sysfs
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(" mtu (\\d+) ").matcher(link);
        return m.find() ? m.group(1) : "?";
    }

    static double median(List<Double> v) {
        List<Double> s = v.stream().sorted().toList();
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    /**
     * In {@code host}'s namespace: VXLAN device, bridge and a veth whose end "eth0" (address
     * {@code ip}/24, MAC {@code mac}) is in {@code container}; forwarding to {@code peer}'s
     * address for {@code peerMac} and for broadcasts (ARP).
     */
    private static void handBuilt(SimulatedHost host, Netns container, String ip, String mac, SimulatedHost peer, String peerMac) {
        String local = OverlayCluster.format(host.address());
        String remote = OverlayCluster.format(peer.address());
        String m = Integer.toString(MTU);
        List<List<String>> steps = new ArrayList<>(List.of(
                List.of("ip", "link", "add", "hvx0", "mtu", m, "type", "vxlan", "id", Integer.toString(HAND_VNI), "local", local,
                        "dstport", "4789", "nolearning", "udpcsum"),
                List.of("ip", "link", "add", "hbr0", "mtu", m, "type", "bridge"),
                List.of("ip", "link", "set", "hvx0", "master", "hbr0", "up"),
                List.of("ip", "link", "set", "hbr0", "up"),
                List.of("ip", "link", "add", "hve0", "mtu", m, "type", "veth", "peer", "name", "eth0", "mtu", m, "address", mac,
                        "netns", container.name()),
                List.of("ip", "link", "set", "hve0", "master", "hbr0", "up"),
                List.of("bridge", "fdb", "append", "00:00:00:00:00:00", "dev", "hvx0", "dst", remote),
                List.of("bridge", "fdb", "add", peerMac, "dev", "hvx0", "dst", remote, "self", "permanent")));
        for (List<String> s : steps) {
            host.exec(s.toArray(String[]::new));
        }
        for (List<String> s : List.of(List.of("ip", "link", "set", "lo", "up"), List.of("ip", "addr", "add", ip + "/24", "dev", "eth0"),
                List.of("ip", "link", "set", "eth0", "up"))) {
            OverlayCluster.inNetns(container.path().toString(), s.toArray(String[]::new));
        }
    }
}
