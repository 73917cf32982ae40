package dev.weft.bench;


import dev.weft.engine.Controller;
import dev.weft.engine.ControllerConfig;
import dev.weft.engine.Endpoint;
import dev.weft.engine.EndpointOptions;
import dev.weft.engine.IpamConfig;
import dev.weft.engine.Network;
import dev.weft.engine.NetworkConfig;
import dev.weft.engine.PortBinding;
import dev.weft.engine.Sandbox;
import dev.weft.engine.SandboxOptions;
import dev.weft.engine.driver.bridge.BridgeDriver;
import dev.weft.linux.netns.Netns;
import dev.weft.store.LocalStore;
import dev.weft.store.Store;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The engine benchmark: attach (endpoint create + join into a fresh sandbox) and detach (leave +
 * endpoint delete) through the library in a warm JVM, side by side in one run with the CNI bridge
 * plugin (with and without ipMasq), netavark and the ip -batch floor; then 100 concurrent
 * attaches; then the cost of publishing the 1st and the 1000th port. Each tool works in a host
 * namespace of its own; container namespaces are made and removed untimed. Markdown on stdout.
 * Usage: EngineBenchmark [ROUNDS [WARMUP [CONCURRENT [PORT_SAMPLES]]]] (default 200 30 100 50).
 */
public final class EngineBenchmark {
    /** weft-only attach/detach cycles first, so the rounds measure a warm JVM. */
    private static final int WEFT_WARMUP = 500;

    private EngineBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int concurrent = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        int portSamples = args.length > 3 ? Integer.parseInt(args[3]) : 50;
        Sandboxes.runAndExit((sandboxes, runDir) -> {
            try (ShellSpawner shell = new ShellSpawner(); Netns weftHost = sandboxes.create("weft");
                 Store store = LocalStore.open(sandboxes.dir().resolve("weft.db"));
                 Controller c = Controller.start(ControllerConfig.of(store, runDir, weftHost)
                         .withDrivers(List.of(new BridgeDriver(weftHost))))) {
                Network net = c.newNetwork(NetworkConfig.of("bench", "bridge").withIpv4(IpamConfig.subnet("198.51.100.0/24")));
                List<PeerPlugin> peers = List.of(
                        PeerPlugin.cni(sandboxes.create("cni"), sandboxes.dir().resolve("cni"), shell, false),
                        PeerPlugin.cni(sandboxes.create("cnimasq"), sandboxes.dir().resolve("cnimasq"), shell, true),
                        PeerPlugin.netavark(sandboxes.create("netavark"), sandboxes.dir().resolve("netavark"), shell));
                Netns ipHost = sandboxes.create("ip");
                IpBatchAttacher ip = new IpBatchAttacher(ipHost.name(), sandboxes.dir(), shell);
                for (int i = 0; i < WEFT_WARMUP; i++) {
                    weft(c, net, -1 - i); // the JIT's warm-up, before any round is recorded
                }
                List<Samples> rows = sequential(c, net, peers, ip, sandboxes, rounds, warmup);
                print(rows, rounds, warmup);
                concurrent(c, net, peers.get(0), sandboxes, concurrent);
                ports(c, net, portSamples);
                net.delete();
            }
        });
    }

    private static List<Samples> sequential(Controller c, Network net, List<PeerPlugin> peers, IpBatchAttacher ip,
                                            Sandboxes sandboxes, int rounds, int warmup) {
        List<Samples> rows = new ArrayList<>();
        rows.add(new Samples("attach", "weft engine (library, bridge driver)"));
        rows.add(new Samples("detach", "weft engine (library, bridge driver)"));
        for (PeerPlugin p : peers) {
            rows.add(new Samples("attach", p.label()));
            rows.add(new Samples("detach", p.label()));
        }
        rows.add(new Samples("attach", "ip -batch floor (2 processes)"));
        rows.add(new Samples("detach", "ip -batch floor (1 process)"));
        int tools = peers.size() + 2;
        Rounds.run(tools, warmup, rounds, rows, (t, round) -> t == 0 ? weft(c, net, round)
                : t <= peers.size() ? peer(peers.get(t - 1), sandboxes, round) : ipFloor(ip, sandboxes, round));
        return rows;
    }

    private static long[] weft(Controller c, Network net, int round) {
        String name = round < 0 ? "w" + -round : "c" + round;
        Sandbox sb = c.newSandbox(name, SandboxOptions.named(name));
        long t0 = System.nanoTime();
        Endpoint ep = net.createEndpoint("e" + name);
        ep.join(sb);
        long t1 = System.nanoTime();
        ep.leave(sb);
        ep.delete();
        long t2 = System.nanoTime();
        sb.delete();
        return new long[] {t1 - t0, t2 - t1};
    }

    private static long[] peer(PeerPlugin p, Sandboxes sandboxes, int round) {
        Netns container = sandboxes.create("p" + round + p.label().hashCode());
        try {
            return new long[] {p.attach(container), p.detach(container)};
        } finally {
            sandboxes.dispose(container);
        }
    }

    private static long[] ipFloor(IpBatchAttacher ip, Sandboxes sandboxes, int round) {
        Netns container = sandboxes.create("i" + round);
        try {
            Slot slot = Slot.create(round, container);
            ip.prepare(slot);
            return new long[] {ip.attach(slot), ip.detach(slot)};
        } finally {
            sandboxes.dispose(container);
        }
    }

    private static void print(List<Samples> rows, int rounds, int warmup) {
        System.out.println("- machine: nproc " + Runtime.getRuntime().availableProcessors() + ", java " + Runtime.version());
        System.out.println("- " + WEFT_WARMUP + " weft-only warm-up cycles, then " + rounds + " recorded rounds per tool after "
                + warmup + " warm-up rounds; tool order reverses every round; peers' processes are started by a waiting bash");
        System.out.println();
        System.out.println("| operation | tool | N | median ms | p95 ms | tool/weft (medians) |");
        System.out.println("|---|---|--:|--:|--:|--:|");
        for (Samples s : rows) {
            Samples weft = rows.stream().filter(w -> w.operation().equals(s.operation()) && w.tool().startsWith("weft"))
                    .findFirst().orElseThrow();
            String ratio = s == weft ? "" : String.format(Locale.ROOT, "%.1fx", s.medianMs() / weft.medianMs());
            System.out.printf(Locale.ROOT, "| %s | %s | %d | %.2f | %.2f | %s |%n", s.operation(), s.tool(), s.count(),
                    s.medianMs(), s.percentileMs(95), ratio);
        }
        System.out.println();
    }

    /** {@code n} attaches at once from as many threads, then as many detaches; weft and the CNI plugin. */
    private static void concurrent(Controller c, Network net, PeerPlugin cni, Sandboxes sandboxes, int n) throws Exception {
        List<Sandbox> sandboxList = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sandboxList.add(c.newSandbox("cc" + i, SandboxOptions.named("cc" + i)));
        }
        Samples attach = new Samples("attach", "weft");
        Samples detach = new Samples("detach", "weft");
        long wallAttach = Concurrently.run(n, i -> {
            long t0 = System.nanoTime();
            net.createEndpoint("cc" + i).join(sandboxList.get(i));
            attach.addSynchronized(System.nanoTime() - t0);
        });
        long wallDetach = Concurrently.run(n, i -> {
            long t0 = System.nanoTime();
            Endpoint ep = net.endpoint("cc" + i);
            ep.leave(sandboxList.get(i));
            ep.delete();
            detach.addSynchronized(System.nanoTime() - t0);
        });
        sandboxList.forEach(Sandbox::delete);
        List<Netns> containers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            containers.add(sandboxes.create("cc" + i));
        }
        Samples cniAttach = new Samples("attach", cni.label());
        Samples cniDetach = new Samples("detach", cni.label());
        long cniWallAttach = Concurrently.run(n, i -> cniAttach.addSynchronized(Concurrently.process(cni.command(true,
                containers.get(i)), cni.input())));
        long cniWallDetach = Concurrently.run(n, i -> cniDetach.addSynchronized(Concurrently.process(cni.command(false,
                containers.get(i)), cni.input())));
        containers.forEach(sandboxes::dispose);
        System.out.println(n + " concurrent operations (" + n + " threads at once; the CNI plugin's " + n
                + " processes started from the JVM at once):");
        System.out.println();
        System.out.println("| operation | tool | wall ms | per-op median ms | per-op p95 ms |");
        System.out.println("|---|---|--:|--:|--:|");
        for (Object[] r : new Object[][] {{attach, wallAttach}, {detach, wallDetach}, {cniAttach, cniWallAttach},
                {cniDetach, cniWallDetach}}) {
            Samples s = (Samples) r[0];
            System.out.printf(Locale.ROOT, "| %s | %s | %.1f | %.2f | %.2f |%n", s.operation(), s.tool(),
                    (long) r[1] / 1e6, s.medianMs(), s.percentileMs(95));
        }
        System.out.println();
    }

    /** Join time of an endpoint publishing one port, with no other port published and with 999 published. */
    private static void ports(Controller c, Network net, int samples) {
        Samples first = new Samples("attach publishing 1 port", "1st port");
        Samples later = new Samples("attach publishing 1 port", "1000th port");
        portSamples(c, net, first, samples, "f");
        List<PortBinding> many = PortBinding.parse("20000-20998:20000-20998");
        Sandbox holder = c.newSandbox("holder", SandboxOptions.named("holder"));
        Endpoint big = net.createEndpoint("holder", EndpointOptions.publishing(many));
        big.join(holder);
        portSamples(c, net, later, samples, "l");
        big.leave(holder);
        big.delete();
        holder.delete();
        System.out.println("Publishing ports (join of an endpoint with one published port, " + samples + " samples each):");
        System.out.println();
        System.out.printf(Locale.ROOT, "| already published | median ms | p95 ms |%n|--:|--:|--:|%n| 0 | %.2f | %.2f |%n"
                        + "| 999 | %.2f | %.2f |%n%nratio 1000th/1st (medians): %.2fx%n", first.medianMs(), first.percentileMs(95),
                later.medianMs(), later.percentileMs(95), later.medianMs() / first.medianMs());
    }

    private static void portSamples(Controller c, Network net, Samples into, int samples, String tag) {
        for (int i = 0; i < samples + 10; i++) {
            Sandbox sb = c.newSandbox("p" + tag + i, SandboxOptions.named("p" + tag + i));
            Endpoint ep = net.createEndpoint("p" + tag + i, EndpointOptions.publishing(PortBinding.parse("30000:80")));
            long t0 = System.nanoTime();
            ep.join(sb);
            long t = System.nanoTime() - t0;
            if (i >= 10) {
                into.add(t);
            }
            ep.leave(sb);
            ep.delete();
            sb.delete();
        }
    }
}
