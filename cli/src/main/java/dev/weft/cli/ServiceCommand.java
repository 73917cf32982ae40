package dev.weft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** weft service publish|unpublish|attach|detach|ls|info, the quick start's commands: a service is SVC.NET. */
@Command(name = "service", description = "Manage services (named endpoints, SVC.NET).", mixinStandardHelpOptions = true)
final class ServiceCommand implements CommandTree.Group {
    @Override
    public List<Class<?>> children() {
        return List.of(Publish.class, Unpublish.class, Attach.class, Detach.class, Ls.class, Info.class);
    }

    @ParentCommand
    WeftCli weft;

    DaemonClient client() {
        return new DaemonClient(weft.socket());
    }

    /** POST /v1/services/SVC.NET/ACTION with the container, for attach and detach. */
    void act(String service, String action, String container) {
        try (DaemonClient c = client()) {
            c.post(path(service) + "/" + action, Json.object().put("Container", container));
        }
    }

    static String path(String service) {
        return "/v1/services/" + URLEncoder.encode(service, StandardCharsets.UTF_8);
    }

    /** "svc1.dev" split as the daemon does, for the publish body. */
    static String[] split(String service) {
        int dot = service.indexOf('.');
        if (dot <= 0 || dot == service.length() - 1) {
            throw new CliException("invalid service \"" + service + "\": expected SERVICE.NETWORK, like svc1.dev");
        }
        return new String[] {service.substring(0, dot), service.substring(dot + 1)};
    }

    @Command(name = "publish", description = "Publish a service on a network.", mixinStandardHelpOptions = true)
    static final class Publish implements Runnable {
        @ParentCommand
        ServiceCommand service;
        @Spec
        CommandSpec spec;
        @Option(names = "--alias", description = "DNS alias; repeat for several") List<String> aliases = new ArrayList<>();
        @Option(names = "--ip", paramLabel = "IPv4", description = "the service's address (default: the next free one)")
        String ip;
        @Option(names = "--vip", description = "a virtual IP balanced across backend containers (service attach, run --publish-service)")
        boolean vip;
        @Parameters(paramLabel = "SVC.NET") String name;

        @Override
        public void run() {
            String[] parts = split(name);
            ObjectNode body = Json.object().put("Name", parts[0]).put("Network", parts[1]);
            if (ip != null) {
                body.put("IPv4Address", ip);
            }
            if (vip) {
                body.put("VirtualIP", true);
            }
            aliases.forEach(body.putArray("Aliases")::add);
            try (DaemonClient c = service.client()) {
                spec.commandLine().getOut().println(c.post("/v1/services/publish", body).path("Id").asText());
            }
        }
    }

    @Command(name = "unpublish", description = "Remove a service.", mixinStandardHelpOptions = true)
    static final class Unpublish implements Runnable {
        @ParentCommand
        ServiceCommand service;
        @Option(names = {"-f", "--force"}, description = "detach it first if it is attached") boolean force;
        @Parameters(paramLabel = "SVC.NET") String name;

        @Override
        public void run() {
            split(name);
            try (DaemonClient c = service.client()) {
                c.delete(path(name) + (force ? "?force=true" : ""));
            }
        }
    }

    /** attach and detach: a container and SVC.NET, posted as the action. */
    abstract static class ContainerAction implements Runnable {
        private final String action;
        @ParentCommand
        ServiceCommand service;
        @Parameters(index = "0", paramLabel = "CONTAINER") String container;
        @Parameters(index = "1", paramLabel = "SVC.NET") String name;

        ContainerAction(String action) {
            this.action = action;
        }

        @Override
        public void run() {
            service.act(name, action, container);
        }
    }

    @Command(name = "attach", description = "Attach a service to a container (a virtual IP: add it as a backend).",
            mixinStandardHelpOptions = true)
    static final class Attach extends ContainerAction {
        Attach() {
            super("attach");
        }
    }

    @Command(name = "detach", description = "Detach a service from a container (a virtual IP: remove its backend).",
            mixinStandardHelpOptions = true)
    static final class Detach extends ContainerAction {
        Detach() {
            super("detach");
        }
    }

    @Command(name = "ls", aliases = "list", description = "List services.", mixinStandardHelpOptions = true)
    static final class Ls implements Runnable {
        @ParentCommand
        ServiceCommand service;
        @Spec
        CommandSpec spec;
        @Option(names = "--net", description = "only services of this network") String network;

        @Override
        public void run() {
            JsonNode list;
            try (DaemonClient c = service.client()) {
                list = c.get("/v1/services" + (network == null ? "" : "?network=" + URLEncoder.encode(network, StandardCharsets.UTF_8)));
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%-14s %-20s %-14s %-14s %s%n", "SERVICE ID", "NAME", "NETWORK", "CONTAINER", "ADDRESS");
            for (JsonNode s : list) {
                String container = s.path("VirtualIP").asBoolean() ? "vip:" + s.path("Backends").size() + " backends"
                        : s.path("Container").isNull() ? "" : s.path("Container").asText();
                out.printf("%-14s %-20s %-14s %-14s %s%n", s.path("Id").asText().substring(0, 12), s.path("Name").asText(),
                        s.path("Network").asText(), container, addresses(s));
            }
        }

        /** The service's IPv4 and IPv6 addresses, comma-separated (an IPv6-only network's has only the latter). */
        private static String addresses(JsonNode s) {
            List<String> out = new ArrayList<>();
            for (String f : List.of("IPv4Address", "IPv6Address")) {
                if (!s.path(f).asText("").isEmpty()) {
                    out.add(s.path(f).asText());
                }
            }
            return String.join(",", out);
        }
    }

    @Command(name = "info", aliases = "inspect", description = "Show a service (JSON).", mixinStandardHelpOptions = true)
    static final class Info implements Runnable {
        @ParentCommand
        ServiceCommand service;
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "SVC.NET") String name;

        @Override
        public void run() {
            split(name);
            try (DaemonClient c = service.client()) {
                spec.commandLine().getOut().println(Json.pretty(c.get(path(name))));
            }
        }
    }
}
