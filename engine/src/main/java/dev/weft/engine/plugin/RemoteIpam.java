package dev.weft.engine.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.engine.EngineObserver;
import dev.weft.engine.WeftException;
import dev.weft.engine.ipam.Ipam;
import dev.weft.net.IpPrefix;

import java.net.InetAddress;

/**
 * An IPAM plugin of Docker's remote IPAM protocol (libnetwork docs/ipam.md), as weft's
 * {@link Ipam}: activated on first use (it must implement "IpamDriver"), its default address
 * spaces asked once and used for weft's local and global spaces, then RequestPool, ReleasePool,
 * RequestAddress (the gateway asked with RequestAddressType com.docker.network.gateway, as
 * libnetwork does) and ReleaseAddress. Refusals and transport errors become WeftExceptions
 * naming the plugin and the call, as for the remote network driver.
 */
public final class RemoteIpam implements Ipam {
    static final String SPACES = "IpamDriver.GetDefaultAddressSpaces";
    static final String REQUEST_POOL = "IpamDriver.RequestPool";
    static final String RELEASE_POOL = "IpamDriver.ReleasePool";
    static final String REQUEST_ADDRESS = "IpamDriver.RequestAddress";
    static final String RELEASE_ADDRESS = "IpamDriver.ReleaseAddress";
    static final String GATEWAY = "com.docker.network.gateway";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final PluginClient client;
    private volatile String localSpace;
    private volatile String globalSpace;

    public RemoteIpam(PluginClient client) {
        this.client = client;
    }

    /** The IPAM plugin {@code plugin} found through {@code discovery}, with the default timeouts. */
    public static RemoteIpam of(String plugin, PluginDiscovery discovery) {
        return of(plugin, discovery, EngineObserver.NONE);
    }

    /** As {@link #of(String, PluginDiscovery)}, telling {@code observer} of every call to the plugin. */
    public static RemoteIpam of(String plugin, PluginDiscovery discovery, EngineObserver observer) {
        return new RemoteIpam(PluginClient.withDefaults(plugin, () -> discovery.address(plugin)).observedBy(observer));
    }

    public String name() {
        return client.plugin();
    }

    private synchronized void activate() {
        if (localSpace == null) {
            client.activate("IpamDriver", "an IPAM driver");
            JsonNode spaces = client.call(SPACES, null);
            String local = PluginClient.text(spaces, "LocalDefaultAddressSpace");
            String global = PluginClient.text(spaces, "GlobalDefaultAddressSpace");
            if (local.isEmpty() || global.isEmpty()) {
                throw WeftException.unavailable("IPAM plugin " + name() + " gave no default address spaces: " + spaces, null);
            }
            globalSpace = global;
            localSpace = local;
        }
    }

    @Override
    public Pool requestPool(String addressSpace, IpPrefix subnet, IpPrefix range, boolean ipv6) {
        activate();
        String space = addressSpace.equals(GLOBAL_SPACE) ? globalSpace : addressSpace.equals(LOCAL_SPACE) ? localSpace
                : addressSpace;
        ObjectNode body = JSON.createObjectNode().put("AddressSpace", space)
                .put("Pool", subnet == null ? "" : subnet.toString()).put("SubPool", range == null ? "" : range.toString())
                .put("V6", ipv6);
        body.putObject("Options");
        JsonNode reply = client.call(REQUEST_POOL, body);
        String id = PluginClient.text(reply, "PoolID");
        IpPrefix pool = prefix(reply, "Pool", REQUEST_POOL);
        if (id.isEmpty()) {
            throw WeftException.unavailable("IPAM plugin " + name() + " gave no PoolID for " + REQUEST_POOL, null);
        }
        return new Pool(id, addressSpace, pool, range);
    }

    @Override
    public void releasePool(String poolId) {
        activate();
        client.call(RELEASE_POOL, JSON.createObjectNode().put("PoolID", poolId));
    }

    @Override
    public IpPrefix requestAddress(String poolId, InetAddress preferred, String owner) {
        activate();
        ObjectNode body = JSON.createObjectNode().put("PoolID", poolId)
                .put("Address", preferred == null ? "" : IpPrefix.format(preferred));
        ObjectNode options = body.putObject("Options");
        if ("gateway".equals(owner)) {
            options.put("RequestAddressType", GATEWAY);
        }
        return prefix(client.call(REQUEST_ADDRESS, body), "Address", REQUEST_ADDRESS);
    }

    @Override
    public void releaseAddress(String poolId, InetAddress address) {
        activate();
        client.call(RELEASE_ADDRESS, JSON.createObjectNode().put("PoolID", poolId).put("Address", IpPrefix.format(address)));
    }

    private IpPrefix prefix(JsonNode reply, String field, String call) {
        String text = PluginClient.text(reply, field);
        try {
            if (text.indexOf('/') < 0) {
                throw new IllegalArgumentException("no prefix length");
            }
            return IpPrefix.parse(text);
        } catch (IllegalArgumentException e) {
            throw WeftException.unavailable("IPAM plugin " + name() + " gave " + field + " \"" + text + "\" for " + call
                    + ", not an address with a prefix length", null);
        }
    }
}
