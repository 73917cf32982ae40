package dev.weft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** weft run, ps, logs, exec and rm: lightweight containers. */
final class ContainerCommands {
    private ContainerCommands() {
    }

    static String path(String container) {
        return "/v1/containers/" + URLEncoder.encode(container, StandardCharsets.UTF_8);
    }

    @Command(name = "run", description = "Run a command in a new container.", mixinStandardHelpOptions = true)
    static final class Run implements Callable<Integer> {
        @ParentCommand
        WeftCli weft;
        @Spec
        CommandSpec spec;
        @Option(names = {"-d", "--detach"}, description = "print the container id and return") boolean detach;
        @Option(names = "--name", description = "container name (default: the id's first 12 digits)") String name;
        @Option(names = "--hostname", description = "hostname (default: derived from the name, as Web_1 -> Web-1)") String hostname;
        @Option(names = "--net", description = "network to join; repeat for several") List<String> networks = new ArrayList<>();
        @Option(names = "--publish-service", paramLabel = "SVC.NET[.DRIVER]", description = "publish and attach this service")
        String service;
        @Option(names = {"-p", "--publish"}, paramLabel = "[IP:]HOSTPORT:PORT[/PROTO]", description = "publish a port")
        List<String> ports = new ArrayList<>();
        @Option(names = "--dns", paramLabel = "IP", description = "DNS server for names outside the container's networks; repeat for several")
        List<String> dns = new ArrayList<>();
        @Parameters(paramLabel = "COMMAND", arity = "1..*") List<String> command;

        @Override
        public Integer call() throws InterruptedException {
            ObjectNode body = Json.object().put("Name", name).put("Hostname", hostname)
                    .put("PublishService", service);
            command.forEach(body.putArray("Cmd")::add);
            networks.forEach(body.putArray("Networks")::add);
            ports.forEach(body.putArray("Ports")::add);
            dns.forEach(body.putArray("Dns")::add);
            PrintWriter out = spec.commandLine().getOut();
            try (DaemonClient c = weft.client()) {
                JsonNode created = c.post("/v1/containers/create", body);
                String id = created.path("Id").asText();
                if (detach) {
                    out.println(id);
                    return 0;
                }
                JsonNode state = created;
                while (state.path("Status").asText().equals("running")) {
                    Thread.sleep(50);
                    state = c.get(path(id));
                }
                out.print(c.get(path(id) + "/logs").path("Logs").asText());
                out.flush();
                return state.path("ExitCode").asInt(0);
            }
        }
    }

    @Command(name = "ps", description = "List containers.", mixinStandardHelpOptions = true)
    static final class Ps implements Runnable {
        @ParentCommand
        WeftCli weft;
        @Spec
        CommandSpec spec;
        @Option(names = {"-a", "--all"}, description = "also exited containers") boolean all;
        @Option(names = {"-q", "--quiet"}, description = "only ids") boolean quiet;

        @Override
        public void run() {
            JsonNode list;
            try (DaemonClient c = weft.client()) {
                list = c.get("/v1/containers");
            }
            PrintWriter out = spec.commandLine().getOut();
            if (!quiet) {
                out.printf("%-14s %-16s %-24s %-10s %s%n", "CONTAINER ID", "NAME", "COMMAND", "STATUS", "NETWORKS");
            }
            for (JsonNode ct : list) {
                if (!all && !ct.path("Status").asText().equals("running")) {
                    continue;
                }
                String id = ct.path("Id").asText().substring(0, 12);
                if (quiet) {
                    out.println(id);
                    continue;
                }
                List<String> cmd = new ArrayList<>();
                ct.path("Cmd").forEach(a -> cmd.add(a.asText()));
                List<String> nets = new ArrayList<>();
                ct.path("Networks").forEach(n -> nets.add(n.asText()));
                String command = String.join(" ", cmd);
                String status = ct.path("Status").asText() + (ct.path("ExitCode").isInt() ? " (" + ct.path("ExitCode").asInt() + ")" : "");
                out.printf("%-14s %-16s %-24s %-10s %s%n", id, ct.path("Name").asText(),
                        command.length() > 24 ? command.substring(0, 21) + "..." : command, status, String.join(",", nets));
            }
        }
    }

    @Command(name = "logs", description = "Print a container's output.", mixinStandardHelpOptions = true)
    static final class Logs implements Runnable {
        @ParentCommand
        WeftCli weft;
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "CONTAINER") String container;

        @Override
        public void run() {
            try (DaemonClient c = weft.client()) {
                spec.commandLine().getOut().print(c.get(path(container) + "/logs").path("Logs").asText());
                spec.commandLine().getOut().flush();
            }
        }
    }

    @Command(name = "exec", description = "Run a command inside a running container (root, same host).",
            mixinStandardHelpOptions = true)
    static final class Exec implements Callable<Integer> {
        @ParentCommand
        WeftCli weft;
        @Parameters(index = "0", paramLabel = "CONTAINER") String container;
        @Parameters(index = "1..*", paramLabel = "COMMAND", arity = "1..*") List<String> command;

        @Override
        public Integer call() throws IOException, InterruptedException {
            JsonNode ct;
            try (DaemonClient c = weft.client()) {
                ct = c.get(path(container));
            }
            if (!ct.path("Status").asText().equals("running")) {
                throw new CliException("container " + container + " is not running");
            }
            // --root and --wd: the container's own root and working directory, which entering its mount
            // namespace alone would reset to that namespace's root (a weftd running in a chroot)
            List<String> argv = new ArrayList<>(List.of("nsenter", "-t", Long.toString(ct.path("Pid").asLong()), "-n", "-m", "-u",
                    "--root", "--wd", "--"));
            argv.addAll(command);
            return new ProcessBuilder(argv).inheritIO().start().waitFor();
        }
    }

    @Command(name = "inspect", description = "Show containers in detail (JSON).", mixinStandardHelpOptions = true)
    static final class Inspect implements Runnable {
        @ParentCommand
        WeftCli weft;
        @Spec
        CommandSpec spec;
        @Option(names = {"-f", "--format"}, paramLabel = "FORMAT",
                description = "json, '{{json .}}' or a template of fields such as '{{.Name}} {{json .Networks}}' (default: a JSON array)")
        String format;
        @Parameters(paramLabel = "CONTAINER", arity = "1..*") List<String> containers;

        @Override
        public void run() {
            List<JsonNode> all = new ArrayList<>();
            try (DaemonClient c = weft.client()) {
                for (String ct : containers) {
                    all.add(c.get(path(ct)));
                }
            }
            InspectFormat.print(all, format, spec.commandLine().getOut());
        }
    }

    @Command(name = "rm", description = "Remove containers.", mixinStandardHelpOptions = true)
    static final class Rm implements Runnable {
        @ParentCommand
        WeftCli weft;
        @Spec
        CommandSpec spec;
        @Option(names = {"-f", "--force"}, description = "kill running containers first") boolean force;
        @Parameters(paramLabel = "CONTAINER", arity = "1..*") List<String> containers;

        @Override
        public void run() {
            List<String> failures = new ArrayList<>();
            try (DaemonClient c = weft.client()) {
                for (String ct : containers) {
                    try {
                        c.delete(path(ct) + (force ? "?force=true" : ""));
                        spec.commandLine().getOut().println(ct);
                    } catch (CliException e) {
                        failures.add(e.getMessage());
                    }
                }
            }
            if (!failures.isEmpty()) {
                throw new CliException(String.join("; ", failures));
            }
        }
    }
}
