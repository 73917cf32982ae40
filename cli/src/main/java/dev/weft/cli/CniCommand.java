package dev.weft.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/** weft cni: puts weft's CNI plugin in place for container runtimes. */
@Command(name = "cni", mixinStandardHelpOptions = true, description = "weft as a CNI plugin.")
final class CniCommand implements CommandTree.Group {
    @Override
    public List<Class<?>> children() {
        return List.of(Install.class);
    }

    @Command(name = "install", mixinStandardHelpOptions = true,
            description = {"Install weft's CNI plugin executable as DIR/weft and, unless one is there, a network",
                    "configuration list using it (with portmap chained when the plugin directory has it).",
                    "Runtimes (containerd, podman, CRI-O) then attach containers to weft networks through weftd."})
    static final class Install implements Runnable {
        @Spec
        CommandSpec spec;

        @Option(names = "--bin-dir", paramLabel = "DIR", description = "the CNI plugin directory (default: ${DEFAULT-VALUE})")
        Path binDir = Path.of("/opt/cni/bin");

        @Option(names = "--conf-dir", paramLabel = "DIR",
                description = "the CNI configuration directory (default: ${DEFAULT-VALUE})")
        Path confDir = Path.of("/etc/cni/net.d");

        @Option(names = "--network", paramLabel = "NAME", description = "the network the configuration names (default: ${DEFAULT-VALUE})")
        String network = "weft";

        @Option(names = "--subnet", paramLabel = "CIDR", description = "its subnet (default: one of weft's pools)")
        String subnet;

        @Option(names = "--shim", paramLabel = "FILE", description = "the plugin executable to install (default: the built one)")
        Path shim;

        @Override
        public void run() {
            Path source = shim != null ? shim : builtShim();
            if (!Files.isExecutable(source)) {
                throw new CliException("no CNI plugin executable at " + source + " (build weft first: scripts/build)");
            }
            if (network.isEmpty() || !network.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*")) {
                throw new CliException("--network \"" + network + "\": use letters, digits, '_', '.' or '-'");
            }
            if (subnet != null && !subnet.matches("[0-9a-fA-F.:]+/\\d{1,3}")) {
                throw new CliException("--subnet \"" + subnet + "\" is not a subnet like 198.51.100.0/24");
            }
            for (Path dir : new Path[] {binDir, confDir}) {
                if (!Files.isDirectory(dir)) {
                    throw new CliException(dir + " is not a directory");
                }
            }
            Path plugin = binDir.resolve("weft");
            Path conf = confDir.resolve("10-" + network + ".conflist");
            try {
                Path tmp = Files.createTempFile(binDir, ".weft", ".tmp");
                Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
                Files.move(tmp, plugin, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                spec.commandLine().getOut().println("installed " + plugin);
                if (Files.exists(conf)) {
                    spec.commandLine().getOut().println("kept " + conf + " (it exists)");
                    return;
                }
                Files.writeString(conf, conflist(Files.isExecutable(binDir.resolve("portmap"))));
                spec.commandLine().getOut().println("wrote " + conf);
            } catch (IOException e) {
                throw new CliException("cannot install the CNI plugin: " + e.getMessage());
            }
        }

        String conflist(boolean portmap) {
            String weft = "{\"type\": \"weft\"" + (subnet == null ? "" : ", \"subnet\": \"" + subnet + "\"") + "}";
            String chain = portmap ? ",\n    {\"type\": \"portmap\", \"capabilities\": {\"portMappings\": true}}" : "";
            return "{\n  \"cniVersion\": \"1.1.0\",\n  \"cniVersions\": [\"1.0.0\", \"1.1.0\"],\n  \"name\": \"" + network
                    + "\",\n  \"plugins\": [\n    " + weft + chain + "\n  ]\n}\n";
        }

        /** The shim the build made: cni/target/weft-cni beside the CLI's cli/target/weft-cli.jar. */
        private static Path builtShim() {
            try {
                Path jar = Path.of(CniCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                return jar.getParent().getParent().getParent().resolve("cni/target/weft-cni");
            } catch (URISyntaxException | RuntimeException e) {
                return Path.of("weft-cni");
            }
        }
    }
}
