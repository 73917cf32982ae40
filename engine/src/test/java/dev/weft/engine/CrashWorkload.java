package dev.weft.engine;

import dev.weft.engine.driver.bridge.BridgeDriver;
import dev.weft.linux.netns.Netns;
import dev.weft.store.LocalStore;
import dev.weft.store.Store;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * The child process of {@link CrashSafetyTest}: a controller on a store file that creates, joins,
 * leaves and deletes networks, endpoints and sandboxes in a random endless loop until it is
 * killed. Arguments: DATA_FILE RUN_DIR HOST_NETNS SEED.
 */
public final class CrashWorkload {
    private CrashWorkload() {
    }

    public static void main(String[] args) {
        Path dataFile = Path.of(args[0]);
        Path runDir = Path.of(args[1]);
        Random random = new Random(Long.parseLong(args[3]));
        try (Netns host = Netns.open(Path.of(args[2])); Store store = LocalStore.open(dataFile);
             Controller c = Controller.start(ControllerConfig.of(store, runDir, host).withDrivers(List.of(new BridgeDriver(host))))) {
            System.out.println("ready");
            System.out.flush();
            int n = random.nextInt(1_000_000);
            while (true) {
                try {
                    step(c, random, n++);
                } catch (WeftException e) {
                    if (e.kind() != WeftException.Kind.CONFLICT) {
                        throw e; // a name or subnet taken by an earlier run is fine; anything else is a bug
                    }
                }
            }
        }
    }

    private static void step(Controller c, Random random, int n) {
        List<Network> networks = c.networks();
        List<Sandbox> sandboxes = c.sandboxes();
        switch (random.nextInt(8)) {
            case 0 -> {
                if (networks.size() < 3) {
                    c.newNetwork(NetworkConfig.of("net" + n, "bridge").withIpv4(IpamConfig.subnet("10.99." + random.nextInt(250) + ".0/24")));
                }
            }
            case 1 -> {
                if (!networks.isEmpty()) {
                    Network net = networks.get(random.nextInt(networks.size()));
                    if (net.endpoints().isEmpty()) {
                        net.delete();
                    }
                }
            }
            case 2, 3 -> {
                if (!networks.isEmpty()) {
                    networks.get(random.nextInt(networks.size())).createEndpoint("ep" + n);
                }
            }
            case 4 -> {
                if (sandboxes.size() < 4) {
                    c.newSandbox("c" + n, SandboxOptions.named("c" + n));
                }
            }
            case 5 -> join(networks, sandboxes, random);
            case 6 -> leaveOrDelete(c, networks, random);
            default -> {
                if (!sandboxes.isEmpty()) {
                    sandboxes.get(random.nextInt(sandboxes.size())).delete();
                }
            }
        }
    }

    private static void join(List<Network> networks, List<Sandbox> sandboxes, Random random) {
        if (networks.isEmpty() || sandboxes.isEmpty()) {
            return;
        }
        Network net = networks.get(random.nextInt(networks.size()));
        Sandbox sb = sandboxes.get(random.nextInt(sandboxes.size()));
        for (Endpoint ep : net.endpoints()) {
            if (!ep.state().joined()) {
                try {
                    ep.join(sb);
                } catch (WeftException e) {
                    if (e.kind() != WeftException.Kind.CONFLICT) {
                        throw e;
                    }
                }
                return;
            }
        }
    }

    private static void leaveOrDelete(Controller c, List<Network> networks, Random random) {
        if (networks.isEmpty()) {
            return;
        }
        List<Endpoint> eps = networks.get(random.nextInt(networks.size())).endpoints();
        if (eps.isEmpty()) {
            return;
        }
        Endpoint ep = eps.get(random.nextInt(eps.size()));
        String sandbox = ep.state().sandboxId();
        if (sandbox != null) {
            ep.leave(c.sandbox(sandbox));
        } else {
            ep.delete();
        }
    }
}
