package dev.weft.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Seeded requests for {@code ApiFuzzTest}: a valid request for a route of weftd's REST API or of
 * its Docker plugin socket, drawn over small pools of names (so requests meet: a connect finds the
 * network a create made), then mutated: a value replaced by a null, a wrong type, an odd or huge
 * string or number, a field dropped or added, the body cut short or replaced, the method changed,
 * a path segment made odd.
 */
final class FuzzRequests {
    /** One request: on the plugin socket or weftd's, with its method, path and body (null: none). */
    record Req(boolean plugin, String method, String path, String body) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final String[] METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"};
    private static final String[] ODD = {"", " ", "x\n", "a\u0000b", "\u00e9t\u00e9", "../..", "-", "%", "a".repeat(300),
            "0", "9999999999999999999999", "192.0.2.1/33", "::ffff:1.2.3.4", "tcp", "true"};
    private final Random random;
    private final List<Supplier<Req>> routes = new ArrayList<>();

    FuzzRequests(long seed) {
        this.random = new Random(seed);
        rest();
        plugin();
    }

    private String pick(String... values) {
        return values[random.nextInt(values.length)];
    }

    private String net() {
        return pick("n1", "n2", "n3");
    }

    private String ctr() {
        return pick("c1", "c2", "Web_1");
    }

    private String sbx() {
        return pick("s1", "s2");
    }

    private String svc() {
        return pick("v1", "v2") + "." + net();
    }

    private String subnet() {
        return pick("198.51.100.0/26", "198.51.100.64/26", "198.51.100.128/26");
    }

    private void route(String method, String path, Supplier<String> body) {
        routes.add(() -> new Req(false, method, path, body == null ? null : body.get()));
    }

    private void route(String method, Supplier<String> path, Supplier<String> body) {
        routes.add(() -> new Req(false, method, path.get(), body == null ? null : body.get()));
    }

    private void rest() {
        route("POST", "/v1/networks/create", () -> """
                {"Name": "%s", "Driver": "bridge", "Internal": %s, "EnableIPv6": false, "Attachable": true,
                 "IPAM": {"Driver": "default", "Config": [{"Subnet": "%s", "AuxiliaryAddresses": {"r": "%s"}}], "Options": {}},
                 "Options": {"com.docker.network.driver.mtu": "1400", "com.docker.network.bridge.enable_icc": "true"},
                 "Labels": {"team": "web"}}""".formatted(net(), random.nextBoolean(), subnet(), "198.51.100." + (10 + random.nextInt(40))));
        route("GET", () -> "/v1/networks?filters=" + URLEncoder.encode("{\"driver\":[\"bridge\"],\"name\":[\"n\"]}",
                StandardCharsets.UTF_8), null);
        route("GET", () -> "/v1/networks/" + net(), null);
        route("DELETE", () -> "/v1/networks/" + net(), null);
        route("POST", () -> "/v1/networks/" + net() + "/" + pick("connect", "disconnect"), () -> """
                {"Container": "%s", "EndpointConfig": {"IPAMConfig": {"IPv4Address": ""}, "Aliases": ["al1"]}}"""
                .formatted(random.nextBoolean() ? ctr() : sbx()));
        route("POST", "/v1/networks/prune", null);
        route("POST", "/v1/sandboxes/create", () -> """
                {"ContainerID": "%s", "Hostname": "h1", "Domainname": "example", "HostNetwork": false, "Dns": ["192.0.2.53"]}"""
                .formatted(sbx()));
        route("GET", "/v1/sandboxes", null);
        route("GET", () -> "/v1/sandboxes/" + sbx(), null);
        route("DELETE", () -> "/v1/sandboxes/" + sbx(), null);
        route("POST", "/v1/containers/create", () -> """
                {"Name": "%s", "Hostname": "", "Cmd": ["sleep", "300"], "Networks": ["%s"], "Ports": ["%d:80%s"],
                 "PublishService": "%s", "Dns": ["192.0.2.53"]}""".formatted(ctr(), net(), 18080 + random.nextInt(3),
                pick("", "/udp"), random.nextInt(4) == 0 ? pick("v1", "v2") + "." + net() : ""));
        route("GET", "/v1/containers", null);
        route("GET", () -> "/v1/containers/" + ctr() + pick("", "/logs"), null);
        route("DELETE", () -> "/v1/containers/" + ctr() + "?force=true", null);
        route("POST", "/v1/services/publish", () -> """
                {"Name": "%s", "Network": "%s", "Aliases": ["sa"]}""".formatted(pick("v1", "v2"), net()));
        route("GET", () -> "/v1/services" + pick("", "?network=n1"), null);
        route("GET", () -> "/v1/services/" + svc(), null);
        route("DELETE", () -> "/v1/services/" + svc() + "?force=true", null);
        route("POST", () -> "/v1/services/" + svc() + "/" + pick("attach", "detach"), () -> "{\"Container\": \"" + ctr() + "\"}");
        route("GET", "/v1/_ping", null);
        route("GET", "/v1/openapi.json", null);
    }

    private String nid() {
        return pick("f00d", "beef").repeat(16);
    }

    private String eid() {
        return pick("ca11", "5eed").repeat(16);
    }

    private String pool() {
        return pick("203.0.113.0/26", "203.0.113.64/26");
    }

    /**
     * An address of either pool, from a few: what dockerd asks for is released again, so an
     * address request is for one of these, never the pool's next free one (a run of thousands
     * would exhaust the pool, which is a 503 as in Docker: no bad input, but no answer either).
     */
    private String address() {
        String pool = pick("0", "64");
        return "203.0.113." + (Integer.parseInt(pool) + 2 + random.nextInt(6));
    }

    private void call(String name, Supplier<String> body) {
        routes.add(() -> new Req(true, "POST", "/" + name, body.get()));
    }

    private void plugin() {
        for (String c : new String[] {"Plugin.Activate", "NetworkDriver.GetCapabilities", "IpamDriver.GetCapabilities",
                "IpamDriver.GetDefaultAddressSpaces", "NetworkDriver.DiscoverNew", "NetworkDriver.DiscoverDelete",
                "NetworkDriver.AllocateNetwork", "NetworkDriver.FreeNetwork"}) {
            call(c, () -> "{}");
        }
        call("IpamDriver.RequestPool", () -> """
                {"AddressSpace": "DockerLocal", "Pool": "%s", "SubPool": "", "Options": {}, "V6": false}""".formatted(pool()));
        call("IpamDriver.RequestAddress", () -> """
                {"PoolID": "DockerLocal/%s", "Address": "%s", "Options": {%s}}""".formatted(pool(), address(),
                random.nextBoolean() ? "\"RequestAddressType\": \"com.docker.network.gateway\"" : ""));
        call("IpamDriver.ReleaseAddress", () -> """
                {"PoolID": "DockerLocal/%s", "Address": "%s"}""".formatted(pool(), address()));
        call("IpamDriver.ReleasePool", () -> "{\"PoolID\": \"DockerLocal/" + pool() + "\"}");
        call("NetworkDriver.CreateNetwork", () -> {
            String pool = pool();
            return """
                    {"NetworkID": "%s", "Options": {"com.docker.network.enable_ipv6": false, "com.docker.network.generic": {}},
                     "IPv4Data": [{"AddressSpace": "DockerLocal", "Pool": "%s", "Gateway": "%s", "AuxAddresses": {}}],
                     "IPv6Data": []}""".formatted(nid(), pool, pool.replace(".0/26", ".1/26").replace(".64/26", ".65/26"));
        });
        call("NetworkDriver.DeleteNetwork", () -> "{\"NetworkID\": \"" + nid() + "\"}");
        call("NetworkDriver.CreateEndpoint", () -> """
                {"NetworkID": "%s", "EndpointID": "%s", "Options": {},
                 "Interface": {"Address": "203.0.113.%d/26", "AddressIPv6": "", "MacAddress": ""}}"""
                .formatted(nid(), eid(), 2 + random.nextInt(3)));
        call("NetworkDriver.Join", () -> """
                {"NetworkID": "%s", "EndpointID": "%s", "SandboxKey": "/var/run/docker/netns/c0ffee", "Options": {}}"""
                .formatted(nid(), eid()));
        for (String c : new String[] {"NetworkDriver.EndpointOperInfo", "NetworkDriver.Leave", "NetworkDriver.DeleteEndpoint",
                "NetworkDriver.ProgramExternalConnectivity", "NetworkDriver.RevokeExternalConnectivity"}) {
            call(c, () -> "{\"NetworkID\": \"" + nid() + "\", \"EndpointID\": \"" + eid() + "\"}");
        }
    }

    /** The number of routes and plugin calls covered. */
    int routes() {
        return routes.size();
    }

    /** Route {@code i}'s valid request, unmutated. */
    Req valid(int i) {
        return routes.get(i).get();
    }

    /** The next request: a valid one for a random route, left as it is one time in four, else mutated. */
    Req next() {
        Req r = routes.get(random.nextInt(routes.size())).get();
        if (random.nextInt(4) == 0) {
            return r;
        }
        return switch (random.nextInt(10)) {
            case 0 -> new Req(r.plugin(), pick(METHODS), r.path(), r.body() != null ? r.body() : random.nextBoolean() ? "{\"a\": 1}" : null);
            case 1 -> new Req(r.plugin(), r.method(), oddPath(r.path()), r.body());
            case 2 -> new Req(r.plugin(), r.method(), r.path(), r.body() == null ? pick("{}", "[]", "null")
                    : r.body().substring(0, random.nextInt(r.body().length())));
            case 3 -> new Req(r.plugin(), r.method(), r.path(), pick("", "null", "[]", "\"s\"", "42", "{\"Name\": {\"x\": [1]}}"));
            default -> new Req(r.plugin(), r.method(), r.path(), r.body() == null ? r.body() : mutate(r.body()));
        };
    }

    private String oddPath(String path) {
        String[] parts = path.split("/", -1);
        int i = 1 + random.nextInt(parts.length - 1);
        parts[i] = URLEncoder.encode(pick(ODD), StandardCharsets.UTF_8).replace("+", "%20");
        return String.join("/", parts);
    }

    private String mutate(String body) {
        try {
            JsonNode tree = JSON.readTree(body);
            for (int n = 1 + random.nextInt(3); n > 0; n--) {
                mutateOne(tree);
            }
            return JSON.writeValueAsString(tree);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a template is not JSON: " + body, e);
        }
    }

    /** Replaces, drops or adds one value somewhere in {@code root}. */
    private void mutateOne(JsonNode root) {
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        JsonNode parent = containers.get(random.nextInt(containers.size()));
        if (parent instanceof ObjectNode o) {
            List<String> names = new ArrayList<>();
            for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
                names.add(it.next());
            }
            int what = random.nextInt(8);
            if (names.isEmpty() || what == 0) {
                o.set(random.nextBoolean() ? "Zz" : pick(ODD), oddValue());
            } else if (what == 1) {
                o.remove(names.get(random.nextInt(names.size())));
            } else {
                o.set(names.get(random.nextInt(names.size())), oddValue());
            }
        } else if (parent instanceof ArrayNode a) {
            if (a.isEmpty() || random.nextInt(4) == 0) {
                a.add(oddValue());
            } else {
                a.set(random.nextInt(a.size()), oddValue());
            }
        }
    }

    private static void collect(JsonNode node, List<JsonNode> out) {
        if (node.isContainerNode()) {
            out.add(node);
            node.forEach(child -> collect(child, out));
        }
    }

    private JsonNode oddValue() {
        return switch (random.nextInt(12)) {
            case 0, 1 -> F.nullNode();
            case 2 -> F.numberNode(pick("0", "-1", "65536", "99999999999").length() > 5 ? 99999999999L : -1);
            case 3 -> F.numberNode(1.5);
            case 4 -> F.booleanNode(random.nextBoolean());
            case 5 -> F.objectNode().set("k", random.nextBoolean() ? F.nullNode() : F.textNode(pick(ODD)));
            case 6 -> F.arrayNode().add(random.nextBoolean() ? F.nullNode() : F.textNode(pick(ODD)));
            default -> F.textNode(pick(ODD));
        };
    }
}
