package dev.weft.bench;

import dev.weft.engine.Controller;
import dev.weft.engine.ControllerConfig;
import dev.weft.engine.Endpoint;
import dev.weft.engine.EndpointOptions;
import dev.weft.engine.IpamConfig;
import dev.weft.engine.Network;
import dev.weft.engine.NetworkConfig;
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
 * Service virtual IPs: what adding a backend (a join of an endpoint that backs the service) and
 * removing one (its leave) cost with 0 backends already there against 99, through the library in
 * a warm JVM, on a bridge network where CLIENTS other sandboxes reach the virtual IP (each
 * backend change updates every one of their tables). A join of an endpoint that is no backend
 * is the floor. Markdown on stdout.
 * Usage: VipBenchmark [SAMPLES [CLIENTS]] (default 100 10).
 */
public final class VipBenchmark {
    private static final int WARMUP = 20;

    private VipBenchmark() {
    }

    public static void main(String[] args) {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Sandboxes.runAndExit((sandboxes, runDir) -> {
            try (Netns host = sandboxes.create("vip"); Store store = LocalStore.open(sandboxes.dir().resolve("weft.db"));
                 Controller c = Controller.start(ControllerConfig.of(store, runDir, host).withDrivers(List.of(new BridgeDriver(host))))) {
                Network net = c.newNetwork(NetworkConfig.of("vipbench", "bridge").withIpv4(IpamConfig.subnet("198.18.0.0/20")));
                net.createEndpoint("web", EndpointOptions.none().asVirtualIp());
                for (int i = 0; i < clients; i++) {
                    join(c, net, "client" + i, EndpointOptions.none());
                }
                Samples floor = new Samples("join", "no backend, 0 backends there");
                Samples addFirst = new Samples("join", "1st backend");
                Samples removeFirst = new Samples("leave", "the only backend");
                measure(c, net, EndpointOptions.none(), "n", samples, floor, null);
                measure(c, net, EndpointOptions.none().backendOf("web"), "f", samples, addFirst, removeFirst);
                List<Sandbox> held = new ArrayList<>();
                for (int i = 0; i < 99; i++) {
                    held.add(join(c, net, "held" + i, EndpointOptions.none().backendOf("web")));
                }
                Samples floorHundred = new Samples("join", "no backend, 99 backends there");
                Samples addHundredth = new Samples("join", "100th backend");
                measure(c, net, EndpointOptions.none(), "m", samples, floorHundred, null);
                Samples removeOfHundred = new Samples("leave", "1 of 100 backends");
                measure(c, net, EndpointOptions.none().backendOf("web"), "h", samples, addHundredth, null);
                removeMiddle(net, held.get(49), samples, removeOfHundred);
                print(samples, clients, List.of(floor, floorHundred, addFirst, addHundredth, removeFirst, removeOfHundred));
            }
        });
    }

    private static Sandbox join(Controller c, Network net, String name, EndpointOptions options) {
        Sandbox sb = c.newSandbox(name, SandboxOptions.named(name));
        net.createEndpoint(name, options).join(sb);
        return sb;
    }

    /** Times the join (and, when {@code leaves} is given, the leave) of a fresh endpoint, after WARMUP untimed rounds. */
    private static void measure(Controller c, Network net, EndpointOptions options, String tag, int samples,
                                Samples joins, Samples leaves) {
        for (int i = 0; i < samples + WARMUP; i++) {
            Sandbox sb = c.newSandbox("s" + tag + i, SandboxOptions.named("s" + tag + i));
            Endpoint ep = net.createEndpoint("s" + tag + i, options);
            long t0 = System.nanoTime();
            ep.join(sb);
            long joined = System.nanoTime();
            ep.leave(sb);
            long left = System.nanoTime();
            if (i >= WARMUP) {
                joins.add(joined - t0);
                if (leaves != null) {
                    leaves.add(left - joined);
                }
            }
            ep.delete();
            sb.delete();
        }
    }

    /** Times the leave of a backend in the middle of 100 (its slot goes to the last one), joining it again untimed. */
    private static void removeMiddle(Network net, Sandbox sb, int samples, Samples leaves) {
        Endpoint ep = net.endpoint(sb.containerId());
        for (int i = 0; i < samples + WARMUP; i++) {
            long t0 = System.nanoTime();
            ep.leave(sb);
            long t = System.nanoTime() - t0;
            if (i >= WARMUP) {
                leaves.add(t);
            }
            ep.join(sb);
        }
    }

    /** Rows: the two floors, the 1st and 100th backend's join, the only and 1 of 100 backends' leave. */
    private static void print(int samples, int clients, List<Samples> rows) {
        System.out.println("Service virtual IP backends (" + samples + " samples each, " + clients
                + " client sandboxes on the network):");
        System.out.println();
        System.out.println("| operation | median ms | p95 ms |");
        System.out.println("|---|--:|--:|");
        for (Samples s : rows) {
            System.out.printf(Locale.ROOT, "| %s, %s | %.2f | %.2f |%n", s.operation(), s.tool(), s.medianMs(), s.percentileMs(95));
        }
        System.out.printf(Locale.ROOT, "%nratio join 100th/1st backend (medians): %.2fx%nratio leave 1 of 100/the only one: %.2fx%n",
                rows.get(3).medianMs() / rows.get(2).medianMs(), rows.get(5).medianMs() / rows.get(4).medianMs());
        System.out.printf(Locale.ROOT, "ratio join no backend, 99 backends there/0 there: %.2fx%n",
                rows.get(1).medianMs() / rows.get(0).medianMs());
    }
}
