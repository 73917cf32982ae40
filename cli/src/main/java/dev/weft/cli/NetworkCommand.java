package dev.weft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** weft network create|ls|inspect|rm, with Docker's flags. */
@Command(name = "network", description = "Manage networks.", mixinStandardHelpOptions = true)
final class NetworkCommand implements CommandTree.Group {
    @Override
    public List<Class<?>> children() {
        return List.of(Create.class, Ls.class, Inspect.class, Rm.class, Connect.class, Disconnect.class, Prune.class);
    }

    @ParentCommand
    WeftCli weft;

    DaemonClient client() {
        return new DaemonClient(weft.socket());
    }

    @Command(name = "create", description = "Create a network.", mixinStandardHelpOptions = true)
    static final class Create implements Runnable {
        @ParentCommand
        NetworkCommand network;
        @Spec
        CommandSpec spec;
        @Option(names = {"-d", "--driver"}, defaultValue = "bridge", description = "driver (default: ${DEFAULT-VALUE})")
        String driver;
        @Option(names = "--ipam-driver", defaultValue = "default", description = "IPAM driver: default, or an IPAM plugin's name")
        String ipamDriver;
        @Option(names = "--subnet", description = "subnet in CIDR form; repeat for several") List<String> subnets = new ArrayList<>();
        @Option(names = "--ip-range", description = "allocate from this range of a subnet") List<String> ranges = new ArrayList<>();
        @Option(names = "--gateway", description = "gateway of a subnet") List<String> gateways = new ArrayList<>();
        @Option(names = "--aux-address", paramLabel = "NAME=IP", description = "an address the IPAM must not hand out")
        Map<String, String> aux = new LinkedHashMap<>();
        @Option(names = "--ipv4", arity = "0..1", defaultValue = "true", fallbackValue = "true",
                description = "IPv4 on the network (--ipv4=false with --ipv6: IPv6-only)") boolean ipv4;
        @Option(names = "--ipv6", description = "enable IPv6 (a subnet from the default IPv6 pools unless --subnet gives one)")
        boolean ipv6;
        @Option(names = "--internal", description = "no access to the outside") boolean internal;
        @Option(names = {"-o", "--opt"}, paramLabel = "KEY=VALUE", description = "driver option") Map<String, String> options = new LinkedHashMap<>();
        @Option(names = "--label", paramLabel = "KEY=VALUE", description = "label") Map<String, String> labels = new LinkedHashMap<>();
        @Parameters(paramLabel = "NAME") String name;

        @Override
        public void run() {
            ObjectNode body = Json.object().put("Name", name).put("Driver", driver)
                    .put("EnableIPv6", ipv6).put("Internal", internal);
            if (!ipv4) {
                body.put("EnableIPv4", false);
            }
            body.set("Options", Json.object(options));
            body.set("Labels", Json.object(labels));
            ObjectNode ipam = body.putObject("IPAM").put("Driver", ipamDriver);
            ipam.set("Config", IpamFlags.configs(subnets, ranges, gateways, aux));
            try (DaemonClient c = network.client()) {
                spec.commandLine().getOut().println(c.post("/v1/networks/create", body).path("Id").asText());
            }
        }
    }

    @Command(name = "ls", aliases = "list", description = "List networks.", mixinStandardHelpOptions = true)
    static final class Ls implements Runnable {
        @ParentCommand
        NetworkCommand network;
        @Spec
        CommandSpec spec;
        @Option(names = {"-f", "--filter"}, paramLabel = "KEY=VALUE", description = "filter: name, id, driver, label, scope, type")
        List<String> filters = new ArrayList<>();
        @Option(names = {"-q", "--quiet"}, description = "only network ids") boolean quiet;
        @Option(names = "--format", description = "table or json (default: table)", defaultValue = "table") String format;
        @Option(names = "--no-trunc", description = "full ids") boolean noTrunc;

        @Override
        public void run() {
            if (!format.equals("table") && !format.equals("json")) {
                throw new CliException("unknown --format \"" + format + "\" (table, json)");
            }
            Map<String, List<String>> f = new LinkedHashMap<>();
            for (String filter : filters) {
                int eq = filter.indexOf('=');
                if (eq <= 0) {
                    throw new CliException("invalid filter \"" + filter + "\": expected KEY=VALUE");
                }
                f.computeIfAbsent(filter.substring(0, eq), k -> new ArrayList<>()).add(filter.substring(eq + 1));
            }
            String query = f.isEmpty() ? "" : "?filters=" + URLEncoder.encode(Json.text(Json.objectOfLists(f)), StandardCharsets.UTF_8);
            JsonNode list;
            try (DaemonClient c = network.client()) {
                list = c.get("/v1/networks" + query);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (format.equals("json")) {
                out.println(Json.pretty(list));
                return;
            }
            if (!quiet) {
                out.printf("%-14s %-20s %-10s %s%n", "NETWORK ID", "NAME", "DRIVER", "SCOPE");
            }
            for (JsonNode n : list) {
                String id = noTrunc ? n.path("Id").asText() : n.path("Id").asText().substring(0, 12);
                if (quiet) {
                    out.println(id);
                } else {
                    out.printf("%-14s %-20s %-10s %s%n", id, n.path("Name").asText(), n.path("Driver").asText(),
                            n.path("Scope").asText());
                }
            }
        }
    }

    @Command(name = "inspect", aliases = "info", description = "Show networks in detail (JSON).", mixinStandardHelpOptions = true)
    static final class Inspect implements Runnable {
        @ParentCommand
        NetworkCommand network;
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "NETWORK", arity = "1..*") List<String> names;
        @Option(names = {"-f", "--format"}, paramLabel = "FORMAT",
                description = "json, '{{json .}}' or a template of fields such as '{{.Name}} {{json .IPAM}}' (default: a JSON array)")
        String format;

        @Override
        public void run() {
            List<JsonNode> all = new ArrayList<>();
            try (DaemonClient c = network.client()) {
                for (String n : names) {
                    all.add(c.get("/v1/networks/" + URLEncoder.encode(n, StandardCharsets.UTF_8)));
                }
            }
            InspectFormat.print(all, format, spec.commandLine().getOut());
        }
    }

    @Command(name = "rm", aliases = "remove", description = "Remove networks.", mixinStandardHelpOptions = true)
    static final class Rm implements Runnable {
        @ParentCommand
        NetworkCommand network;
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "NETWORK", arity = "1..*") List<String> names;

        @Override
        public void run() {
            List<String> failures = new ArrayList<>();
            try (DaemonClient c = network.client()) {
                for (String n : names) {
                    try {
                        c.delete("/v1/networks/" + URLEncoder.encode(n, StandardCharsets.UTF_8));
                        spec.commandLine().getOut().println(n);
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

    /** POST /v1/networks/NETWORK/ACTION with {@code body}, for connect and disconnect. */
    void act(String network, String action, ObjectNode body) {
        try (DaemonClient c = client()) {
            c.post("/v1/networks/" + URLEncoder.encode(network, StandardCharsets.UTF_8) + "/" + action, body);
        }
    }

    @Command(name = "connect", description = "Connect a container to a network.", mixinStandardHelpOptions = true)
    static final class Connect implements Runnable {
        @ParentCommand
        NetworkCommand network;
        @Option(names = "--ip", description = "IPv4 address") String ip;
        @Option(names = "--ip6", description = "IPv6 address") String ip6;
        @Option(names = "--alias", description = "network-scoped alias; repeat for several") List<String> aliases = new ArrayList<>();
        @Parameters(index = "0", paramLabel = "NETWORK") String name;
        @Parameters(index = "1", paramLabel = "CONTAINER") String container;

        @Override
        public void run() {
            ObjectNode body = Json.object().put("Container", container);
            ObjectNode cfg = body.putObject("EndpointConfig");
            cfg.putObject("IPAMConfig").put("IPv4Address", ip).put("IPv6Address", ip6);
            aliases.forEach(cfg.putArray("Aliases")::add);
            network.act(name, "connect", body);
        }
    }

    @Command(name = "disconnect", description = "Disconnect a container from a network.", mixinStandardHelpOptions = true)
    static final class Disconnect implements Runnable {
        @ParentCommand
        NetworkCommand network;
        @Option(names = {"-f", "--force"}, description = "also remove an endpoint whose container or sandbox is gone") boolean force;
        @Parameters(index = "0", paramLabel = "NETWORK") String name;
        @Parameters(index = "1", paramLabel = "CONTAINER") String container;

        @Override
        public void run() {
            ObjectNode body = Json.object().put("Container", container).put("Force", force);
            network.act(name, "disconnect", body);
        }
    }

    @Command(name = "prune", description = "Remove all networks without endpoints.", mixinStandardHelpOptions = true)
    static final class Prune implements Runnable {
        @ParentCommand
        NetworkCommand network;
        @Spec
        CommandSpec spec;
        @Option(names = {"-f", "--force"}, description = "do not ask (weft never asks; accepted for Docker compatibility)")
        boolean force;

        @Override
        public void run() {
            JsonNode r;
            try (DaemonClient c = network.client()) {
                r = c.post("/v1/networks/prune", Json.object());
            }
            PrintWriter out = spec.commandLine().getOut();
            JsonNode deleted = r.path("NetworksDeleted");
            if (!deleted.isEmpty()) {
                out.println("Deleted Networks:");
                deleted.forEach(n -> out.println(n.asText()));
            }
        }
    }
}
