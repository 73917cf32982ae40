package dev.weft.daemon.api;

import dev.weft.engine.Controller;
import dev.weft.engine.IpamConfig;
import dev.weft.engine.Network;
import dev.weft.engine.NetworkConfig;
import dev.weft.engine.WeftException;
import dev.weft.engine.state.EndpointState;
import dev.weft.engine.state.NetworkState;
import dev.weft.net.IpPrefix;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The networks part of the API: Docker-shaped requests in, the controller's records out. */
public final class Networks {
    private final Controller controller;

    public Networks(Controller controller) {
        this.controller = controller;
    }

    /** Creates the network and returns its id. */
    public String create(NetworkCreate body) {
        if (body == null || body.name() == null || body.name().isBlank()) {
            throw new ApiException(400, "a network needs a Name");
        }
        String ipamDriver = body.ipam() == null ? null : body.ipam().driver();
        List<IpamConfig> v4 = new ArrayList<>();
        List<IpamConfig> v6 = new ArrayList<>();
        if (body.ipam() != null && body.ipam().config() != null) {
            for (NetworkCreate.IpamConfig c : body.ipam().config()) {
                IpamConfig cfg = ipamConfig(c);
                boolean six = cfg.subnet() != null ? !cfg.subnet().isIpv4()
                        : cfg.gateway() != null && cfg.gateway() instanceof java.net.Inet6Address;
                (six ? v6 : v4).add(cfg);
            }
        }
        boolean ipv6 = Boolean.TRUE.equals(body.enableIpv6()) || !v6.isEmpty();
        NetworkConfig config = new NetworkConfig(body.name(), body.driver() == null || body.driver().isBlank() ? "bridge"
                : body.driver(), v4, v6, ipv6, Boolean.TRUE.equals(body.internal()), options(body), body.labels())
                .withIpamDriver(ipamDriver);
        return controller.newNetwork(config).id();
    }

    /**
     * The driver options, with EnableIPv4 as Docker's option com.docker.network.enable_ipv4 (the
     * record keeps it there); the field and the option may not disagree.
     */
    private static Map<String, String> options(NetworkCreate body) {
        Map<String, String> options = body.options() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(body.options());
        if (body.enableIpv4() != null) {
            String given = options.put(NetworkConfig.ENABLE_IPV4, body.enableIpv4().toString());
            if (given != null && !given.equalsIgnoreCase(body.enableIpv4().toString())) {
                throw new ApiException(400, "EnableIPv4 is " + body.enableIpv4() + " but option " + NetworkConfig.ENABLE_IPV4
                        + " is " + given);
            }
        }
        return options;
    }

    private static IpamConfig ipamConfig(NetworkCreate.IpamConfig c) {
        Map<String, InetAddress> aux = new LinkedHashMap<>();
        if (c.auxiliaryAddresses() != null) {
            c.auxiliaryAddresses().forEach((k, v) -> {
                InetAddress a = address("AuxiliaryAddresses." + k, v);
                if (a == null) {
                    throw new ApiException(400, "field AuxiliaryAddresses." + k + ": needs an address");
                }
                aux.put(k, a);
            });
        }
        return new IpamConfig(prefix("Subnet", c.subnet()), prefix("IPRange", c.ipRange()), address("Gateway", c.gateway()), aux);
    }

    private static IpPrefix prefix(String field, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        if (!text.contains("/")) {
            throw new ApiException(400, field + " \"" + text + "\" needs a prefix length, like 192.0.2.0/24");
        }
        try {
            return IpPrefix.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, field + ": " + e.getMessage());
        }
    }

    private static InetAddress address(String field, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return IpPrefix.parseAddress(text.contains("/") ? text.substring(0, text.indexOf('/')) : text);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, field + ": " + e.getMessage());
        }
    }

    public NetworkResource inspect(String nameOrId) {
        return resource(controller.network(nameOrId));
    }

    /** Every network, filtered by Docker's filters: name, id (prefix), driver, label (key or key=value), scope, type. */
    public List<NetworkResource> list(Map<String, List<String>> filters) {
        List<NetworkResource> out = new ArrayList<>();
        for (Network n : controller.networks()) {
            NetworkResource r = resource(n);
            if (NetworkFilters.matches(r, filters)) {
                out.add(r);
            }
        }
        return out;
    }

    public void delete(String nameOrId) {
        controller.network(nameOrId).delete();
    }

    private NetworkResource resource(Network network) {
        NetworkState n = network.state();
        List<NetworkResource.Config> configs = new ArrayList<>();
        for (NetworkState.SubnetState s : n.subnets()) {
            configs.add(new NetworkResource.Config(s.subnet(), s.range(),
                    s.gateway() == null ? null : IpPrefix.format(IpPrefix.parse(s.gateway()).address()), s.aux()));
        }
        Map<String, NetworkResource.Attachment> containers = new LinkedHashMap<>();
        for (EndpointState ep : network.endpointStates()) {
            String key = ep.container() != null ? ep.container() : ep.id();
            containers.put(key, new NetworkResource.Attachment(ep.name(), ep.id(), ep.mac(), ep.ipv4() == null ? "" : ep.ipv4(),
                    ep.ipv6() == null ? "" : ep.ipv6(), orphaned(controller, ep)));
        }
        return new NetworkResource(n.name(), n.id(), n.created(), n.scope(), n.driver(), NetworkConfig.enableIpv4(n.options()),
                n.enableIpv6(),
                new NetworkResource.Ipam(n.ipamDriver() == null ? "default" : n.ipamDriver(), Map.of(), configs), n.internal(), containers, n.options(), n.labels());
    }

    /**
     * Whether the endpoint is joined on this host to a sandbox that no longer exists (what a bug
     * or a manual change can leave; {@code network disconnect --force} removes it). Endpoints
     * joined on other hosts are their weftd's to judge.
     */
    static boolean orphaned(Controller controller, EndpointState ep) {
        if (!ep.joined() || (ep.host() != null && !ep.host().equals(controller.advertise()))) {
            return false;
        }
        try {
            controller.sandbox(ep.sandboxId());
            return false;
        } catch (WeftException e) {
            if (e.kind() == WeftException.Kind.NOT_FOUND) {
                return true;
            }
            throw e;
        }
    }

    /** Deletes every network without endpoints; returns their names. */
    public List<String> prune() {
        List<String> deleted = new ArrayList<>();
        for (Network n : controller.networks()) {
            if (n.endpoints().isEmpty()) {
                try {
                    String name = n.name();
                    n.delete();
                    deleted.add(name);
                } catch (WeftException e) {
                    if (e.kind() != WeftException.Kind.CONFLICT) {
                        throw e;
                    }
                }
            }
        }
        return deleted;
    }
}
