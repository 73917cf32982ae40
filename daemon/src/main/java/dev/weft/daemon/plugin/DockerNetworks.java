package dev.weft.daemon.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.daemon.journal.Intent;
import dev.weft.daemon.journal.Journal;
import dev.weft.engine.Controller;
import dev.weft.engine.Endpoint;
import dev.weft.engine.EndpointOptions;
import dev.weft.engine.IpamConfig;
import dev.weft.engine.Network;
import dev.weft.engine.NetworkConfig;
import dev.weft.engine.WeftException;
import dev.weft.engine.state.NetworkState;
import dev.weft.net.IpPrefix;
import dev.weft.net.MacAddress;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Docker's remote NetworkDriver protocol (libnetwork docs/remote.md) mapped onto weft: each Docker
 * network is a weft network named after Docker's NetworkID, with the subnets and gateways
 * Docker's IPAM chose; each Docker endpoint a weft endpoint named after its EndpointID, with the
 * address and MAC Docker gave. Both live in weft's stores, so a restarted weftd still knows them
 * (Docker never replays CreateNetwork). On a single host the networks are bridge networks and
 * the driver's scope is local; when weftd shares a global store they are overlay networks and
 * the scope is global: Docker (with its own cluster store) creates a network on one host, and
 * every other host finds it in weft's global store when its first endpoint arrives.
 * Join hands the endpoint off ({@link Endpoint#handOff}): Docker wants an interface in the host
 * namespace that it moves into the container itself, so the driver leaves the container end
 * ({@code wdc...}, the SrcName) there; Leave takes it back.
 */
final class DockerNetworks {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String GENERIC = "com.docker.network.generic";
    /** libnetwork's route type for a route straight out of the interface, with no next hop. */
    private static final int CONNECTED = 1;
    private final Controller controller;
    private final boolean global;
    private final List<InetAddress> nameservers;
    private final Journal journal;
    private final SharedOverlays overlays;
    private final DockerNames names;

    /**
     * {@code global}: make overlay networks shared through the global store, not bridge networks;
     * {@code nameservers}: addresses every container gets a route to through its weft interface
     * (the Weave plugin's {@code --nameserver}); {@code overlays} (null unless in local scope on
     * hosts sharing a store): attaches networks made with {@code -o weft.overlay=NAME};
     * {@code names}: learns the names of the containers that join them.
     */
    DockerNetworks(Controller controller, boolean global, List<InetAddress> nameservers, Journal journal,
                   SharedOverlays overlays, DockerNames names) {
        this.names = names;
        this.journal = journal;
        this.overlays = overlays;
        this.controller = controller;
        this.global = global;
        this.nameservers = List.copyOf(nameservers);
    }

    /** GetCapabilities: global scope when the networks span hosts. */
    ObjectNode capabilities() {
        ObjectNode r = NODES.objectNode();
        String scope = global ? "global" : "local";
        r.put("Scope", scope);
        r.put("ConnectivityScope", scope);
        return r;
    }

    /** CreateNetwork: a bridge or overlay network with Docker's pools and gateways; repeating it is a no-op. */
    synchronized ObjectNode createNetwork(JsonNode req) {
        String id = RequestFields.required(req, "NetworkID");
        List<IpamConfig> v4 = subnets(req, "IPv4Data", false);
        List<IpamConfig> v6 = subnets(req, "IPv6Data", true);
        if (v4.isEmpty() && v6.isEmpty()) {
            throw PluginException.badRequest("CreateNetwork needs IPv4Data or IPv6Data with a Pool");
        }
        JsonNode options = req.path("Options");
        Map<String, String> generic = strings(options.path(GENERIC));
        if (v4.isEmpty()) {
            generic.put(NetworkConfig.ENABLE_IPV4, "false"); // Docker 28's IPv6-only network (--ipv4=false)
        }
        boolean internal = options.path(NetworkConfig.INTERNAL).asBoolean(false)
                || "true".equals(generic.get(NetworkConfig.INTERNAL));
        if (find(id) != null) {
            return NODES.objectNode();
        }
        String overlay = generic.remove(SharedOverlays.OPTION);
        if (overlay != null) {
            if (overlays == null) {
                throw PluginException.badRequest("-o " + SharedOverlays.OPTION + " needs weftd with --docker-scope local"
                        + " and --kv-store (hosts sharing weft's store)");
            }
            overlays.attach(id, overlay, v4, v6, internal, generic);
            return NODES.objectNode();
        }
        controller.newNetwork(new NetworkConfig(id, global ? "overlay" : "bridge", v4, v6, !v6.isEmpty(), internal, generic,
                Map.of()));
        return NODES.objectNode();
    }

    synchronized ObjectNode deleteNetwork(JsonNode req) {
        String id = RequestFields.required(req, "NetworkID");
        if (overlays != null && overlays.detach(id)) {
            return NODES.objectNode();
        }
        network(req).delete();
        return NODES.objectNode();
    }

    /**
     * CreateEndpoint with Docker's address and published ports ({@link DockerPorts}); a MAC weft
     * chose is returned when Docker gave none.
     */
    synchronized ObjectNode createEndpoint(JsonNode req) {
        Network n = network(req);
        String eid = RequestFields.required(req, "EndpointID");
        JsonNode iface = req.get("Interface");
        if (iface == null || !iface.isObject()) {
            throw PluginException.badRequest("CreateEndpoint needs an Interface");
        }
        IpPrefix v4 = RequestFields.prefix(iface, "Address");
        if (v4 == null) {
            throw PluginException.badRequest("CreateEndpoint needs Interface.Address: weft does not pick addresses for Docker");
        }
        IpPrefix v6 = RequestFields.prefix(iface, "AddressIPv6");
        String mac = RequestFields.text(iface, "MacAddress");
        MacAddress wantedMac;
        try {
            wantedMac = mac.isEmpty() ? null : MacAddress.parse(mac);
        } catch (IllegalArgumentException e) {
            throw PluginException.badRequest("Interface.MacAddress \"" + mac + "\" is not a MAC address");
        }
        Endpoint ep = n.createEndpoint(eid, new EndpointOptions(v4.address(), v6 == null ? null : v6.address(), wantedMac,
                List.of(), DockerPorts.of(req.path("Options")), true)); // Docker joins it on this host
        ObjectNode r = NODES.objectNode();
        if (wantedMac == null) {
            r.putObject("Interface").put("MacAddress", ep.state().mac());
        }
        return r;
    }

    synchronized ObjectNode endpointInfo(JsonNode req) {
        endpoint(network(req), req);
        ObjectNode r = NODES.objectNode();
        r.putObject("Value");
        return r;
    }

    synchronized ObjectNode deleteEndpoint(JsonNode req) {
        Endpoint ep = endpoint(network(req), req);
        if (names != null && overlays.attached(RequestFields.required(req, "NetworkID")) != null) {
            names.forget(ep.network().name(), ep.name());
        }
        journal.run(Intent.of("disconnect", "network", ep.network().id(), "endpoint", ep.name()), entry -> {
            ep.leaveAnywhere(); // Docker leaves first; after a crash it may not have
            ep.delete();
            return null;
        });
        return NODES.objectNode();
    }

    /** Join: the endpoint's interface handed off, its SrcName end left in the host namespace for Docker. */
    synchronized ObjectNode join(JsonNode req) {
        Network n = network(req);
        Endpoint ep = endpoint(n, req);
        String key = RequestFields.required(req, "SandboxKey");
        String src = containerSide(ep);
        ep.handOff(container(key), src);
        NetworkState ns = n.state();
        ObjectNode r = NODES.objectNode();
        ObjectNode name = r.putObject("InterfaceName");
        name.put("SrcName", src);
        name.put("DstPrefix", "eth");
        if (!ns.internal()) {
            for (NetworkState.SubnetState s : ns.subnets()) {
                IpPrefix gw = IpPrefix.parse(s.gateway());
                r.put(gw.isIpv4() ? "Gateway" : "GatewayIPv6", IpPrefix.format(gw.address()));
            }
        }
        ArrayNode routes = r.putArray("StaticRoutes");
        for (InetAddress server : nameservers) {
            ObjectNode route = routes.addObject();
            route.put("Destination", IpPrefix.format(server) + (server.getAddress().length == 4 ? "/32" : "/128"));
            route.put("RouteType", CONNECTED);
        }
        r.put("DisableGatewayService", false);
        String dockerId = RequestFields.required(req, "NetworkID");
        if (names != null && overlays.attached(dockerId) != null && ep.state().ipv4() != null) {
            names.learn(n.name(), dockerId, ep.name(), ep.state().ipv4());
        }
        return r;
    }

    synchronized ObjectNode leave(JsonNode req) {
        endpoint(network(req), req).leaveAnywhere();
        return NODES.objectNode();
    }

    /** The end Docker moves into the container (and renames ethN). */
    static String containerSide(Endpoint ep) {
        return "wdc" + ep.id().substring(0, 11);
    }

    /** The container a SandboxKey (Docker's namespace path, /var/run/docker/netns/ID) stands for. */
    private static String container(String sandboxKey) {
        String id = sandboxKey.substring(sandboxKey.lastIndexOf('/') + 1);
        if (id.isEmpty() || !id.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
            throw PluginException.badRequest("SandboxKey \"" + sandboxKey + "\" does not end in a sandbox id");
        }
        return id;
    }

    /** The weft network for the request's NetworkID; 404 when there is none. */
    private Network network(JsonNode req) {
        String id = RequestFields.required(req, "NetworkID");
        Network n = find(id);
        if (n == null) {
            throw PluginException.notFound("network " + id + " not found");
        }
        return n;
    }

    private Network find(String dockerId) {
        if (overlays != null) {
            Network attached = overlays.attached(dockerId);
            if (attached != null) {
                return attached;
            }
        }
        try {
            Network n = controller.network(dockerId);
            return n.name().equals(dockerId) ? n : null;
        } catch (WeftException e) {
            if (e.kind() == WeftException.Kind.NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }

    private static Endpoint endpoint(Network n, JsonNode req) {
        String eid = RequestFields.required(req, "EndpointID");
        try {
            Endpoint ep = n.endpoint(eid);
            if (ep.name().equals(eid)) {
                return ep;
            }
        } catch (WeftException e) {
            if (e.kind() != WeftException.Kind.NOT_FOUND) {
                throw e;
            }
        }
        throw PluginException.notFound("endpoint " + eid + " not found in network " + n.name());
    }

    /** IPv4Data or IPv6Data: each entry's Pool, Gateway (CIDR) and AuxAddresses (name -> CIDR). */
    private static List<IpamConfig> subnets(JsonNode req, String field, boolean v6) {
        JsonNode list = req.get(field);
        List<IpamConfig> out = new ArrayList<>();
        if (list == null || list.isNull()) {
            return out;
        }
        if (!list.isArray()) {
            throw PluginException.badRequest("field " + field + ": expected an array");
        }
        for (JsonNode d : list) {
            IpPrefix pool = RequestFields.prefix(d, "Pool");
            if (pool == null || pool.isIpv4() == v6) {
                throw PluginException.badRequest(field + " entry " + d + " needs an " + (v6 ? "IPv6" : "IPv4") + " Pool");
            }
            IpPrefix gw = RequestFields.prefix(d, "Gateway");
            Map<String, InetAddress> aux = new LinkedHashMap<>();
            d.path("AuxAddresses").properties().forEach(e -> aux.put(e.getKey(),
                    RequestFields.address(e.getValue().asText(), "AuxAddresses." + e.getKey())));
            out.add(new IpamConfig(pool, null, gw == null ? null : gw.address(), aux));
        }
        return out;
    }

    /** A map of option values as strings (Docker sends the user's -o options as strings). */
    private static Map<String, String> strings(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node == null || node.isMissingNode() || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw PluginException.badRequest("Options." + GENERIC + ": expected an object");
        }
        node.properties().forEach(e -> {
            if (!e.getValue().isValueNode()) {
                throw PluginException.badRequest("Options." + GENERIC + "." + e.getKey() + ": expected a string");
            }
            out.put(e.getKey(), e.getValue().asText());
        });
        return out;
    }
}
