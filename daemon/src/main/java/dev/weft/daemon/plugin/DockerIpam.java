package dev.weft.daemon.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.engine.ipam.DefaultIpam;
import dev.weft.engine.ipam.Ipam;
import dev.weft.engine.ipam.PredefinedPools;
import dev.weft.net.IpPrefix;

import java.net.InetAddress;
import java.util.Map;

/**
 * Docker's remote IpamDriver protocol (libnetwork docs/ipam.md, ipams/remote/api/api.go) served by
 * weft's own {@link DefaultIpam}. Docker's pools live in address spaces of their own
 * ({@link #LOCAL_SPACE}, {@link #GLOBAL_SPACE}) so they never collide with the pools of the weft
 * networks that mirror Docker's networks, and weft's reconciler, which sweeps only weft's spaces,
 * never frees them: Docker alone decides when they go. Both spaces are kept in weftd's local store.
 * Calls are serialized (dockerd may start containers in parallel; a pool's bitmap is not shared-safe).
 */
final class DockerIpam {
    static final String LOCAL_SPACE = "DockerLocal";
    static final String GLOBAL_SPACE = "DockerGlobal";
    /** The option Docker sets on the RequestAddress for a network's gateway. */
    static final String ADDRESS_TYPE = "RequestAddressType";
    static final String GATEWAY_TYPE = "com.docker.network.gateway";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private final DefaultIpam ipam;
    private final OverlayAttachments attachments;
    private final SharedOverlays overlays;

    /**
     * {@code attachments} and {@code overlays} (null but in local scope on hosts sharing a store):
     * a pool of a Docker network attached to a global overlay hands out its containers' addresses
     * from the overlay's {@link #GLOBAL_SPACE} pool, so no two hosts give out the same one.
     */
    DockerIpam(DefaultIpam ipam, OverlayAttachments attachments, SharedOverlays overlays) {
        this.ipam = ipam;
        this.attachments = attachments;
        this.overlays = overlays;
    }

    /** The pool of {@link #GLOBAL_SPACE} that shares out the addresses of an overlay with IPv4 subnet {@code subnet}. */
    static String globalPool(String subnet) {
        return GLOBAL_SPACE + "/" + subnet;
    }

    /**
     * The global pool standing in for local pool {@code poolId} when this host's Docker network of
     * that pool is attached to an overlay, else null.
     */
    private String attachedPool(String poolId) {
        if (attachments == null || !poolId.startsWith(LOCAL_SPACE + "/")) {
            return null;
        }
        String subnet = subnetOf(poolId);
        return attachments.attachedHere(subnet) ? globalPool(subnet) : null;
    }

    /** The subnet of pool {@code poolId} (SPACE/SUBNET or SPACE/SUBNET/RANGE). */
    static String subnetOf(String poolId) {
        String[] parts = poolId.split("/");
        return parts[1] + "/" + parts[2];
    }

    /** The predefined pools of Docker's address spaces, to register with the controller. */
    static Map<String, PredefinedPools> spaces() {
        return Map.of(LOCAL_SPACE, PredefinedPools.localDefault(), GLOBAL_SPACE, PredefinedPools.globalDefault());
    }

    /** weft needs no MAC from Docker and keeps its allocations itself: nothing to replay. */
    ObjectNode capabilities() {
        ObjectNode r = NODES.objectNode();
        r.put("RequiresMACAddress", false);
        r.put("RequiresRequestReplay", false);
        return r;
    }

    ObjectNode addressSpaces() {
        ObjectNode r = NODES.objectNode();
        r.put("LocalDefaultAddressSpace", LOCAL_SPACE);
        r.put("GlobalDefaultAddressSpace", GLOBAL_SPACE);
        return r;
    }

    /** RequestPool: {@code Pool} (or a free predefined subnet when empty), {@code SubPool} as its range. */
    synchronized ObjectNode requestPool(JsonNode req) {
        String space = RequestFields.required(req, "AddressSpace");
        if (!space.equals(LOCAL_SPACE) && !space.equals(GLOBAL_SPACE)) {
            throw PluginException.badRequest("unknown address space \"" + space + "\" (weft serves " + LOCAL_SPACE
                    + " and " + GLOBAL_SPACE + ")");
        }
        IpPrefix subnet = RequestFields.prefix(req, "Pool");
        IpPrefix range = RequestFields.prefix(req, "SubPool");
        boolean v6 = RequestFields.bool(req, "V6");
        String overlay = req.path("Options").path(SharedOverlays.OPTION).asText("");
        if (!overlay.isEmpty() && !v6) { // --ipam-opt weft.overlay=NAME: the overlay's subnet
            if (overlays == null) {
                throw PluginException.badRequest("--ipam-opt " + SharedOverlays.OPTION + " needs weftd with --docker-scope"
                        + " local and --kv-store (hosts sharing weft's store)");
            }
            if (subnet == null && space.equals(LOCAL_SPACE)) {
                subnet = overlays.subnetFor(overlay);
            }
        }
        Ipam.Pool pool = ipam.requestPool(space, subnet, range, v6);
        ObjectNode r = NODES.objectNode();
        r.put("PoolID", pool.id());
        r.put("Pool", pool.subnet().toString());
        r.putObject("Data");
        return r;
    }

    synchronized ObjectNode releasePool(JsonNode req) {
        String pool = poolId(req);
        ipam.releasePool(pool);
        if (overlays != null && pool.startsWith(LOCAL_SPACE + "/")) {
            overlays.released(pool);
        }
        return NODES.objectNode();
    }

    /** RequestAddress: {@code Address} if given, else a free one; the gateway is recorded as such. */
    synchronized ObjectNode requestAddress(JsonNode req) {
        String pool = poolId(req);
        String wanted = RequestFields.text(req, "Address");
        InetAddress preferred = wanted.isEmpty() ? null : RequestFields.address(wanted, "Address");
        boolean gateway = GATEWAY_TYPE.equals(req.path("Options").path(ADDRESS_TYPE).asText());
        String shared = gateway ? null : attachedPool(pool);
        IpPrefix a = ipam.requestAddress(shared != null ? shared : pool, preferred, gateway ? "docker-gateway" : "docker");
        ObjectNode r = NODES.objectNode();
        r.put("Address", a.toString());
        r.putObject("Data");
        return r;
    }

    synchronized ObjectNode releaseAddress(JsonNode req) {
        String pool = poolId(req);
        InetAddress address = RequestFields.address(RequestFields.required(req, "Address"), "Address");
        String shared = attachedPool(pool);
        ipam.releaseAddress(shared != null && !ipam.holders(pool).containsKey(address) ? shared : pool, address);
        return NODES.objectNode();
    }

    /** The request's PoolID, which must name a pool of Docker's spaces. */
    private String poolId(JsonNode req) {
        String id = RequestFields.required(req, "PoolID");
        if (!id.startsWith(LOCAL_SPACE + "/") && !id.startsWith(GLOBAL_SPACE + "/")) {
            throw PluginException.notFound("no pool " + id);
        }
        return id;
    }
}
