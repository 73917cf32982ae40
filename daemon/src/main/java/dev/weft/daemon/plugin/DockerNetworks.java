package dev.weft.daemon.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.engine.Controller;
import dev.weft.engine.Endpoint;
import dev.weft.engine.EndpointOptions;
import dev.weft.engine.IpamConfig;
import dev.weft.engine.Network;
import dev.weft.engine.NetworkConfig;
import dev.weft.engine.WeftException;
import dev.weft.engine.driver.bridge.BridgeDriver;
import dev.weft.engine.state.NetworkState;
import dev.weft.linux.KernelException;
import dev.weft.linux.rtnl.IpPrefix;
import dev.weft.linux.rtnl.LinkSpec;
import dev.weft.linux.rtnl.Links;
import dev.weft.linux.rtnl.MacAddress;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Docker's remote NetworkDriver protocol (libnetwork docs/remote.md) mapped onto weft: each Docker
 * network is a weft bridge network named after Docker's NetworkID, with the subnets and gateways
 * Docker's IPAM chose; each Docker endpoint a weft endpoint named after its EndpointID, with the
 * address and MAC Docker gave. Both live in weft's store, so a restarted weftd still knows them
 * (Docker never replays CreateNetwork). Join cannot use weft's sandboxes: Docker wants an
 * interface in the host namespace that it moves into the container itself, so Join makes a veth
 * pair whose host end ({@code wdh...}) is on the network's bridge and whose other end
 * ({@code wdc...}, the SrcName) waits in the host namespace for Docker; Leave deletes the pair.
 * These names stay clear of the bridge driver's own veths, which it sweeps when it reconciles.
 */
final class DockerNetworks {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String GENERIC = "com.docker.network.generic";
    private final Controller controller;
    private final Links links;

    /** {@code links}: rtnetlink links of the namespace Docker's containers take their interfaces from. */
    DockerNetworks(Controller controller, Links links) {
        this.controller = controller;
        this.links = links;
    }

    /** CreateNetwork: a bridge network with Docker's pools and gateways; repeating it is a no-op. */
    synchronized ObjectNode createNetwork(JsonNode req) {
        String id = Json.required(req, "NetworkID");
        List<IpamConfig> v4 = subnets(req, "IPv4Data", false);
        List<IpamConfig> v6 = subnets(req, "IPv6Data", true);
        if (v4.isEmpty()) {
            throw PluginException.badRequest("CreateNetwork needs IPv4Data with a Pool: weft's bridge networks need an IPv4 subnet");
        }
        JsonNode options = req.path("Options");
        Map<String, String> generic = strings(options.path(GENERIC));
        boolean internal = options.path(NetworkConfig.INTERNAL).asBoolean(false)
                || "true".equals(generic.get(NetworkConfig.INTERNAL));
        if (find(id) != null) {
            return NODES.objectNode();
        }
        controller.newNetwork(new NetworkConfig(id, "bridge", v4, v6, !v6.isEmpty(), internal, generic, Map.of()));
        return NODES.objectNode();
    }

    synchronized ObjectNode deleteNetwork(JsonNode req) {
        network(req).delete();
        return NODES.objectNode();
    }

    /** CreateEndpoint with Docker's address; a MAC weft chose is returned when Docker gave none. */
    synchronized ObjectNode createEndpoint(JsonNode req) {
        Network n = network(req);
        String eid = Json.required(req, "EndpointID");
        JsonNode iface = req.get("Interface");
        if (iface == null || !iface.isObject()) {
            throw PluginException.badRequest("CreateEndpoint needs an Interface");
        }
        IpPrefix v4 = Json.prefix(iface, "Address");
        if (v4 == null) {
            throw PluginException.badRequest("CreateEndpoint needs Interface.Address: weft does not pick addresses for Docker");
        }
        IpPrefix v6 = Json.prefix(iface, "AddressIPv6");
        String mac = Json.text(iface, "MacAddress");
        MacAddress wantedMac;
        try {
            wantedMac = mac.isEmpty() ? null : MacAddress.parse(mac);
        } catch (IllegalArgumentException e) {
            throw PluginException.badRequest("Interface.MacAddress \"" + mac + "\" is not a MAC address");
        }
        Endpoint ep = n.createEndpoint(eid, new EndpointOptions(v4.address(), v6 == null ? null : v6.address(), wantedMac,
                List.of()));
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
        links.deleteIfExists(hostSide(ep));
        ep.delete();
        return NODES.objectNode();
    }

    /** Join: a fresh veth pair on the bridge, its SrcName end left in the host namespace for Docker. */
    synchronized ObjectNode join(JsonNode req) {
        Network n = network(req);
        Endpoint ep = endpoint(n, req);
        Json.required(req, "SandboxKey");
        NetworkState ns = n.state();
        String hostIf = hostSide(ep);
        String src = containerSide(ep);
        links.deleteIfExists(hostIf); // a repeated Join: start over
        try {
            links.create(new LinkSpec.Veth(hostIf, src, null, 0, null, MacAddress.parse(ep.state().mac()),
                    BridgeDriver.bridgeName(ns), true));
        } catch (KernelException e) {
            links.deleteIfExists(hostIf);
            throw WeftException.unavailable("join endpoint " + ep.name() + ": " + e.getMessage(), e);
        }
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
        r.putArray("StaticRoutes");
        r.put("DisableGatewayService", false);
        return r;
    }

    synchronized ObjectNode leave(JsonNode req) {
        Endpoint ep = endpoint(network(req), req);
        links.deleteIfExists(hostSide(ep));
        return NODES.objectNode();
    }

    /** The host end of a joined endpoint's veth pair. */
    static String hostSide(Endpoint ep) {
        return "wdh" + ep.id().substring(0, 11);
    }

    /** The end Docker moves into the container (and renames ethN). */
    static String containerSide(Endpoint ep) {
        return "wdc" + ep.id().substring(0, 11);
    }

    /** The weft network for the request's NetworkID; 404 when there is none. */
    private Network network(JsonNode req) {
        String id = Json.required(req, "NetworkID");
        Network n = find(id);
        if (n == null) {
            throw PluginException.notFound("network " + id + " not found");
        }
        return n;
    }

    private Network find(String dockerId) {
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
        String eid = Json.required(req, "EndpointID");
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
            IpPrefix pool = Json.prefix(d, "Pool");
            if (pool == null || pool.isIpv4() == v6) {
                throw PluginException.badRequest(field + " entry " + d + " needs an " + (v6 ? "IPv6" : "IPv4") + " Pool");
            }
            IpPrefix gw = Json.prefix(d, "Gateway");
            Map<String, InetAddress> aux = new LinkedHashMap<>();
            d.path("AuxAddresses").properties().forEach(e -> aux.put(e.getKey(),
                    Json.address(e.getValue().asText(), "AuxAddresses." + e.getKey())));
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
