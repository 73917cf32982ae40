package dev.weft.bench;

import dev.weft.linux.netns.Netns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A peer tool that attaches a pre-made container namespace by running one process per operation,
 * started from a waiting bash and run inside the tool's own benchmark host namespace (nsenter),
 * so its bridge and firewall rules land there: the CNI bridge plugin (ADD/DEL, host-local IPAM,
 * with or without ipMasq) or netavark (setup/teardown).
 */
final class PeerPlugin {
    private final String label;
    private final Netns host;
    private final Path dir;
    private final ShellSpawner shell;
    private final boolean netavark;
    private final List<String> plugin;
    private final List<String> env;

    private PeerPlugin(String label, Netns host, Path dir, ShellSpawner shell, boolean netavark, String config) {
        this(label, host, dir, shell, netavark, config, List.of("/usr/lib/cni/bridge"), List.of());
    }

    /** {@code plugin}: the CNI plugin's command line after {@code nsenter}; {@code env}: more variables for it. */
    private PeerPlugin(String label, Netns host, Path dir, ShellSpawner shell, boolean netavark, String config,
                       List<String> plugin, List<String> env) {
        this.label = label;
        this.host = host;
        this.dir = dir;
        this.shell = shell;
        this.netavark = netavark;
        this.plugin = List.copyOf(plugin);
        this.env = List.copyOf(env);
        write(dir.resolve("input.json"), config);
    }

    /** weft's CNI plugin executable (the shim) talking to the weftd at {@code socket}, on a bridge network. */
    static PeerPlugin weft(Netns host, Path dir, ShellSpawner shell, Path shim, Path socket, boolean ipMasq, String subnet) {
        String conf = """
                {"cniVersion":"1.0.0","name":"wtbench%s","type":"weft","subnet":"%s","ipMasq":%s}"""
                .formatted(ipMasq ? "m" : "", subnet, ipMasq);
        return new PeerPlugin("weft CNI plugin" + (ipMasq ? " +ipMasq" : ""), host, dir, shell, false, conf,
                List.of(shim.toString()), List.of("WEFT_CNI_SOCKET=" + socket));
    }

    static PeerPlugin cni(Netns host, Path dir, ShellSpawner shell, boolean ipMasq) {
        String conf = """
                {"cniVersion":"1.0.0","name":"wtbench","type":"bridge","bridge":"wtcni0","isGateway":true,"ipMasq":%s,
                 "ipam":{"type":"host-local","dataDir":"%s","ranges":[[{"subnet":"198.51.100.0/24"}]],
                 "routes":[{"dst":"0.0.0.0/0"}]}}""".formatted(ipMasq, dir.resolve("ipam"));
        return new PeerPlugin("CNI bridge 1.1" + (ipMasq ? " +ipMasq" : ""), host, dir, shell, false, conf);
    }

    static PeerPlugin netavark(Netns host, Path dir, ShellSpawner shell) {
        String opts = """
                {"container_id":"wtbench","container_name":"wtbench",
                 "networks":{"wtnv":{"interface_name":"eth0","static_ips":["198.51.100.2"]}},
                 "network_info":{"wtnv":{"dns_enabled":false,"driver":"bridge",
                   "id":"00000000000000000000000000000000000000000000000000000000000000aa","internal":false,
                   "ipv6_enabled":false,"name":"wtnv","network_interface":"wtnv0",
                   "subnets":[{"gateway":"198.51.100.1","subnet":"198.51.100.0/24"}]}},
                 "port_mappings":[]}""";
        return new PeerPlugin("netavark 1.4", host, dir, shell, true, opts);
    }

    String label() {
        return label;
    }

    long attach(Netns container) {
        return shell.time(List.of(command(true, container)), dir.resolve("input.json"));
    }

    long detach(Netns container) {
        return shell.time(List.of(command(false, container)), dir.resolve("input.json"));
    }

    /** The command for one operation; also usable to start many at once from the JVM. */
    List<String> command(boolean add, Netns container) {
        String enter = "--net=" + host.path();
        if (netavark) {
            return List.of("nsenter", enter, "/usr/lib/podman/netavark", "--config", dir.toString(),
                    add ? "setup" : "teardown", container.path().toString());
        }
        List<String> argv = new java.util.ArrayList<>(List.of("env", "CNI_COMMAND=" + (add ? "ADD" : "DEL"),
                "CNI_CONTAINERID=" + container.name(), "CNI_NETNS=" + container.path(), "CNI_IFNAME=eth0",
                "CNI_PATH=/usr/lib/cni"));
        argv.addAll(env);
        argv.addAll(List.of("nsenter", enter));
        argv.addAll(plugin);
        return argv;
    }

    Path input() {
        return dir.resolve("input.json");
    }

    private static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
