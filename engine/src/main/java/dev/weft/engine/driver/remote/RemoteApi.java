package dev.weft.engine.driver.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.engine.PortBinding;
import dev.weft.engine.Scope;
import dev.weft.engine.WeftException;
import dev.weft.engine.ipam.Ipam;
import dev.weft.engine.plugin.PluginClient;
import dev.weft.engine.state.EndpointState;
import dev.weft.engine.state.NetworkState;
import dev.weft.net.IpPrefix;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The JSON forms of Docker's remote driver protocol (libnetwork drivers/remote/api/api.go), with
 * its field names and casing: requests built from weft's records, replies read and checked.
 */
final class RemoteApi {
    static final String CAPABILITIES = "NetworkDriver.GetCapabilities";
    static final String CREATE_NETWORK = "NetworkDriver.CreateNetwork";
    static final String DELETE_NETWORK = "NetworkDriver.DeleteNetwork";
    static final String CREATE_ENDPOINT = "NetworkDriver.CreateEndpoint";
    static final String DELETE_ENDPOINT = "NetworkDriver.DeleteEndpoint";
    static final String JOIN = "NetworkDriver.Join";
    static final String LEAVE = "NetworkDriver.Leave";
    static final String DISCOVER_NEW = "NetworkDriver.DiscoverNew";
    static final String DISCOVER_DELETE = "NetworkDriver.DiscoverDelete";
    /** libnetwork's discoverapi.NodeDiscovery. */
    static final int NODE_DISCOVERY = 1;
    static final String PROGRAM_EXTERNAL = "NetworkDriver.ProgramExternalConnectivity";
    static final String REVOKE_EXTERNAL = "NetworkDriver.RevokeExternalConnectivity";
    static final String PORT_MAP = "com.docker.network.portmap";
    static final String EXPOSED_PORTS = "com.docker.network.endpoint.exposedports";
    /** Docker's option keys in CreateNetwork's Options: IPv6 on, and the user's -o options. */
    static final String ENABLE_IPV6 = "com.docker.network.enable_ipv6";
    static final String GENERIC = "com.docker.network.generic";

    /** A route the plugin asks for in its Join reply: RouteType 0 via NextHop, 1 connected. */
    record StaticRoute(IpPrefix destination, int type, String nextHop) {
    }

    /** What a Join reply tells: the host interface to move into the sandbox and routes for it. */
    record JoinReply(String srcName, String dstPrefix, String gateway, String gatewayIpv6, List<StaticRoute> routes) {
    }

    private RemoteApi() {
    }

    /** The scope in a GetCapabilities reply; a missing or unknown one is an error, as in libnetwork. */
    static Scope scope(String plugin, JsonNode reply) {
        String scope = PluginClient.text(reply, "Scope");
        return switch (scope) {
            case "local" -> Scope.LOCAL;
            case "global" -> Scope.GLOBAL;
            case "" -> throw WeftException.unavailable("network plugin " + plugin
                    + " gave no Scope in its capabilities (it must be \"local\" or \"global\")", null);
            default -> throw WeftException.unavailable("network plugin " + plugin + " gave Scope \"" + scope
                    + "\" in its capabilities (it must be \"local\" or \"global\")", null);
        };
    }

    static ObjectNode createNetwork(NetworkState n) {
        ObjectNode req = ids(n.id(), null);
        ObjectNode options = req.putObject("Options");
        options.put(ENABLE_IPV6, n.enableIpv6());
        ObjectNode generic = options.putObject(GENERIC);
        n.options().forEach(generic::put);
        String space = Scope.GLOBAL.label().equals(n.scope()) ? Ipam.GLOBAL_SPACE : Ipam.LOCAL_SPACE;
        ArrayNode v4 = req.putArray("IPv4Data");
        ArrayNode v6 = req.putArray("IPv6Data");
        for (NetworkState.SubnetState s : n.subnets()) {
            IpPrefix pool = IpPrefix.parse(s.subnet());
            ObjectNode data = (pool.isIpv4() ? v4 : v6).addObject();
            data.put("AddressSpace", space);
            data.put("Pool", s.subnet());
            if (s.gateway() != null) {
                data.put("Gateway", s.gateway());
            }
            ObjectNode aux = data.putObject("AuxAddresses");
            for (Map.Entry<String, String> e : s.aux().entrySet()) {
                aux.put(e.getKey(), e.getValue() + "/" + pool.length()); // CIDR, as libnetwork sends them
            }
        }
        return req;
    }

    /** {"NetworkID"} or, with an endpoint, {"NetworkID","EndpointID"}: the body of most calls. */
    static ObjectNode ids(String networkId, String endpointId) {
        ObjectNode req = PluginClient.object();
        req.put("NetworkID", networkId);
        if (endpointId != null) {
            req.put("EndpointID", endpointId);
        }
        return req;
    }

    /** CreateEndpoint with the addresses and MAC weft's IPAM gave the endpoint ("" for none, as Go sends). */
    static ObjectNode createEndpoint(NetworkState n, EndpointState ep) {
        ObjectNode req = ids(n.id(), ep.id());
        req.set("Options", portOptions(ep));
        ObjectNode iface = req.putObject("Interface");
        iface.put("Address", ep.ipv4() == null ? "" : ep.ipv4());
        iface.put("AddressIPv6", ep.ipv6() == null ? "" : ep.ipv6());
        iface.put("MacAddress", ep.mac() == null ? "" : ep.mac());
        return req;
    }

    /** Per the protocol, a plugin given an Interface must answer with an empty one. */
    static void checkNoInterface(String plugin, JsonNode reply) {
        JsonNode iface = reply.get("Interface");
        if (iface == null || iface.isNull()) {
            return;
        }
        for (String f : List.of("Address", "AddressIPv6", "MacAddress")) {
            if (!PluginClient.text(iface, f).isEmpty()) {
                throw WeftException.unavailable("network plugin " + plugin + " answered CreateEndpoint with an Interface ("
                        + iface + ") although weft gave it one; the protocol requires an empty Interface", null);
            }
        }
    }

    static ObjectNode join(NetworkState n, EndpointState ep, String sandboxKey) {
        ObjectNode req = ids(n.id(), ep.id());
        req.put("SandboxKey", sandboxKey);
        req.set("Options", portOptions(ep));
        return req;
    }

    /** DiscoverNew or DiscoverDelete of a host: {"DiscoveryType": 1, "DiscoveryData": {"Address", "BindAddress", "Self"}}. */
    static ObjectNode nodeDiscovery(String address, boolean self) {
        ObjectNode req = PluginClient.object();
        req.put("DiscoveryType", NODE_DISCOVERY);
        ObjectNode data = req.putObject("DiscoveryData");
        data.put("Address", address).put("BindAddress", "").put("Self", self);
        return req;
    }

    /** ProgramExternalConnectivity: the endpoint's published and exposed ports, as libnetwork sends them. */
    static ObjectNode programExternal(NetworkState n, EndpointState ep) {
        ObjectNode req = ids(n.id(), ep.id());
        req.set("Options", portOptions(ep));
        return req;
    }

    /**
     * The endpoint's ports in libnetwork's option form: {@code com.docker.network.portmap}, a list
     * of {"Proto": 6 or 17, "IP": "", "Port", "HostIP", "HostPort", "HostPortEnd"}, and
     * {@code com.docker.network.endpoint.exposedports}, a list of {"Proto", "Port"}; empty without ports.
     */
    static ObjectNode portOptions(EndpointState ep) {
        ObjectNode options = PluginClient.object();
        if (ep.ports().isEmpty()) {
            return options;
        }
        ArrayNode map = options.putArray(PORT_MAP);
        ArrayNode exposed = options.putArray(EXPOSED_PORTS);
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String text : ep.ports()) {
            for (PortBinding b : PortBinding.parse(text)) {
                int proto = b.protocol().equals("udp") ? 17 : 6;
                ObjectNode m = map.addObject();
                m.put("Proto", proto).put("IP", "").put("Port", b.containerPort());
                m.put("HostIP", b.hostIp() == null ? "" : IpPrefix.format(b.hostIp()));
                m.put("HostPort", b.hostPort()).put("HostPortEnd", b.hostPort());
                if (seen.add(proto + "/" + b.containerPort())) {
                    exposed.addObject().put("Proto", proto).put("Port", b.containerPort());
                }
            }
        }
        return options;
    }

    /** Reads a Join reply; InterfaceName.SrcName is required, routes must parse. */
    static JoinReply joinReply(String plugin, JsonNode reply) {
        JsonNode name = reply.get("InterfaceName");
        String src = name == null ? "" : PluginClient.text(name, "SrcName");
        if (src.isEmpty()) {
            throw WeftException.unavailable("network plugin " + plugin
                    + " answered Join without InterfaceName.SrcName: no interface to move into the sandbox", null);
        }
        List<StaticRoute> routes = new ArrayList<>();
        JsonNode list = reply.get("StaticRoutes");
        if (list != null && list.isArray()) {
            for (JsonNode r : list) {
                routes.add(route(plugin, r));
            }
        }
        return new JoinReply(src, PluginClient.text(name, "DstPrefix"), PluginClient.text(reply, "Gateway"), PluginClient.text(reply, "GatewayIPv6"), routes);
    }

    private static StaticRoute route(String plugin, JsonNode r) {
        int type = r.path("RouteType").asInt(-1);
        String next = PluginClient.text(r, "NextHop");
        try {
            IpPrefix dest = IpPrefix.parse(PluginClient.text(r, "Destination"));
            if (type == 0 && !next.isEmpty()) {
                IpPrefix.parseAddress(next);
                return new StaticRoute(dest, type, next);
            }
            if (type == 1) {
                return new StaticRoute(dest, type, null);
            }
        } catch (IllegalArgumentException e) {
            throw WeftException.unavailable("network plugin " + plugin + " gave an invalid static route " + r
                    + ": " + e.getMessage(), e);
        }
        throw WeftException.unavailable("network plugin " + plugin + " gave an invalid static route " + r
                + " (RouteType 0 needs a NextHop, 1 is a connected route)", null);
    }
}
