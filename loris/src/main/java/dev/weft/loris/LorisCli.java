package dev.weft.loris;

import dev.weft.net.IpPrefix;
import dev.weft.net.MacAddress;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code loris}: containers on Open vSwitch in isolated pods over a tunnel full mesh. */
@Command(name = "loris", mixinStandardHelpOptions = true, version = "loris (weft) 0.1",
        description = "Puts containers on Open vSwitch, in pods isolated from each other, across hosts joined by VXLAN or GRE.",
        subcommands = {LorisCli.Init.class, LorisCli.ClusterCmd.class, LorisCli.Connect.class, LorisCli.Disconnect.class,
                LorisCli.StatusCmd.class, LorisCli.Cleanup.class, LorisCli.DhcpEvent.class})
public final class LorisCli {
    @Option(names = "--db", defaultValue = "unix:${env:OVS_RUNDIR:-/var/run/openvswitch}/db.sock",
            description = "the OVSDB server, as ovs-vsctl --db (default: ${DEFAULT-VALUE}, from $OVS_RUNDIR as ovs-vsctl finds it)")
    String db;

    @Option(names = {"-H", "--host"}, description = "weftd's socket for weft containers (default: $WEFT_HOST, else unix:///run/weft/weft.sock)")
    String weftHost;

    @Option(names = "--docker-host", description = "Docker's socket (default: $DOCKER_HOST, else unix:///var/run/docker.sock)")
    String dockerHost;

    public static void main(String[] args) {
        long start = System.nanoTime();
        int status = run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        if (System.getenv("LORIS_TIMING") != null) { // for bench/run-loris: where the time of a command goes
            long sinceExec = ProcessHandle.current().info().startInstant()
                    .map(t -> java.time.Duration.between(t, java.time.Instant.now()).toMillis()).orElse(-1L);
            System.err.printf("loris timing: command %.1f ms, since the process started %d ms%n", (System.nanoTime() - start) / 1e6, sinceExec);
        }
        System.exit(status);
    }

    static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cmd = new CommandLine(new LorisCli()).setOut(out).setErr(err);
        cmd.setParameterExceptionHandler((e, a) -> {
            err.println("loris: " + e.getMessage());
            return 1;
        });
        cmd.setExecutionExceptionHandler((e, c, p) -> {
            err.println("loris: " + (e instanceof LorisException || e.getMessage() != null ? e.getMessage() : e.toString()));
            return 1;
        });
        return cmd.execute(args);
    }

    abstract static class Sub implements Callable<Integer> {
        @CommandLine.ParentCommand
        LorisCli loris;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        void print(List<String> lines) {
            lines.forEach(spec.commandLine().getOut()::println);
        }
    }

    @Command(name = "init", description = "Prepare this host: the loris bridges (and, with the userspace datapath, the underlay bridge). Idempotent.")
    static final class Init extends Sub {
        @Option(names = "--underlay", description = "the interface to the other hosts (default: the default route's, else the only one with an IPv4 address)")
        String underlay;
        @Option(names = "--datapath", description = "netdev (userspace) or system (kernel module); default: system if the module is loaded")
        String datapath;

        @Override
        public Integer call() {
            try (Ovs ovs = Ovs.connect(loris.db)) {
                print(new HostSetup(ovs).init(underlay, datapath));
            }
            return 0;
        }
    }

    @Command(name = "cluster", description = "Tunnel to these hosts, one tunnel each (full mesh, run on every host); removes tunnels to hosts not listed.")
    static final class ClusterCmd extends Sub {
        @Option(names = "--tunnel", defaultValue = "vxlan", description = "vxlan or gre (default: ${DEFAULT-VALUE})")
        String tunnel;
        @Parameters(arity = "0..*", paramLabel = "IP", description = "the other hosts' underlay addresses")
        List<String> remotes = List.of();

        @Override
        public Integer call() {
            var parsed = Cluster.parseRemotes(remotes);
            try (Ovs ovs = Ovs.connect(loris.db)) {
                print(new Cluster(ovs).reconcile(parsed, tunnel));
            }
            return 0;
        }
    }

    @Command(name = "connect", description = "Give a container a new interface in a pod (default: the global pod).")
    static final class Connect extends Sub {
        @Parameters(index = "0", paramLabel = "CONTAINER", description = "a pid, a network namespace path, a weft or Docker container name or id")
        String container;
        @Parameters(index = "1", paramLabel = "IP/MASK|dhcp")
        String address;
        @Parameters(index = "2", arity = "0..1", paramLabel = "POD", description = "pod number 1-4093 (default: the global pod)")
        Integer pod;
        @Option(names = "--iface", description = "the interface name in the container (default: the first free ethN from eth1)")
        String iface;
        @Option(names = "--mac", description = "the interface's MAC (default: derived from the address, random with dhcp)")
        String mac;

        @Override
        public Integer call() {
            IpPrefix ip = parseAddress(address);
            if (pod != null && (pod < 1 || pod >= Connector.GLOBAL_TAG)) {
                throw new LorisException("pod number " + pod + " is out of range 1-" + (Connector.GLOBAL_TAG - 1));
            }
            MacAddress m = mac == null ? null : parseMac(mac);
            if (iface != null && !iface.matches("[A-Za-z0-9_.-]{1,15}")) {
                throw new LorisException("bad interface name \"" + iface + "\"");
            }
            Container c = Container.resolve(container, loris.weftHost, loris.dockerHost);
            try (Ovs ovs = Ovs.connect(loris.db)) {
                var ids = new Connector(ovs, loris.db).connect(new Connector.Request(c, ip, pod == null ? 0 : pod, iface, m));
                print(List.of(ids.get(Connector.CONTAINER) + " " + ids.get(Connector.IFNAME) + " pod " + ids.get(Connector.POD)
                        + " " + ids.get(Connector.IP) + " " + ids.get(Connector.MAC)));
            }
            return 0;
        }

        private static IpPrefix parseAddress(String text) {
            if (text.equals("dhcp")) {
                return null;
            }
            try {
                if (!text.contains("/")) {
                    throw new IllegalArgumentException();
                }
                IpPrefix p = IpPrefix.parse(text);
                if (p.address().isAnyLocalAddress() || p.address().isMulticastAddress()) {
                    throw new IllegalArgumentException();
                }
                return p;
            } catch (RuntimeException e) {
                throw new LorisException("bad address \"" + text + "\": expected IP/MASK (such as 192.0.2.10/24) or dhcp");
            }
        }

        private static MacAddress parseMac(String text) {
            try {
                MacAddress m = MacAddress.parse(text);
                if ((m.bytes()[0] & 1) != 0) {
                    throw new IllegalArgumentException();
                }
                return m;
            } catch (RuntimeException e) {
                throw new LorisException("bad MAC address \"" + text + "\"");
            }
        }
    }

    @Command(name = "disconnect", description = "Remove a container's loris interface (all of them without IFACE); releases a DHCP lease.")
    static final class Disconnect extends Sub {
        @Parameters(index = "0", paramLabel = "CONTAINER")
        String container;
        @Parameters(index = "1", arity = "0..1", paramLabel = "IFACE")
        String iface;

        @Override
        public Integer call() {
            Container c = Container.resolve(container, loris.weftHost, loris.dockerHost);
            try (Ovs ovs = Ovs.connect(loris.db)) {
                print(new Connector(ovs, loris.db).disconnect(c, iface).stream().map(p -> "removed " + p).toList());
            }
            return 0;
        }
    }

    @Command(name = "status", description = "Bridges, tunnels and their state, connected containers.")
    static final class StatusCmd extends Sub {
        @Override
        public Integer call() {
            try (Ovs ovs = Ovs.connect(loris.db)) {
                ovs.bridge(Ovs.BRIDGE).ifPresent(b -> new Connector(ovs, loris.db).sweep(b));
                print(Status.lines(ovs));
            }
            return 0;
        }
    }

    @Command(name = "cleanup", description = "Remove everything loris made on this host. Idempotent.")
    static final class Cleanup extends Sub {
        @Override
        public Integer call() {
            try (Ovs ovs = Ovs.connect(loris.db)) {
                print(new Connector(ovs, loris.db).disconnectAll().stream().map(p -> "removed " + p).toList());
                print(new HostSetup(ovs).cleanup());
            }
            return 0;
        }
    }

    @Command(name = "dhcp-event", hidden = true, description = "udhcpc's event hook (internal).")
    static final class DhcpEvent extends Sub {
        @Parameters(index = "0")
        String event;

        @Override
        public Integer call() {
            try (Ovs ovs = Ovs.connect(loris.db)) {
                Dhcp.event(ovs, event, System.getenv());
            }
            return 0;
        }
    }
}
