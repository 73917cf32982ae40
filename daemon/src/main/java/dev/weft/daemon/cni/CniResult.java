package dev.weft.daemon.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.engine.state.EndpointState;
import dev.weft.engine.state.NetworkState;
import dev.weft.net.IpPrefix;

/**
 * An ADD result in the form of the configuration's version: the host end of the link (for drivers
 * that have one) and the container's interface with its sandbox, the endpoint's addresses with the
 * network's gateways, the default routes (none on an internal network), and DNS from the
 * configuration and the runtime's {@code dns} capability. Versions before 1.0.0 carry each IP's
 * "version". In a chain the previous result is handed on with weft's part appended.
 */
final class CniResult {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private CniResult() {
    }

    static ObjectNode of(CniConfig cfg, String netns, EndpointState ep, NetworkState n, ObjectNode delegated) {
        boolean old = !CniVersion.atLeast(cfg.cniVersion(), "1.0.0");
        ObjectNode prev = cfg.prevResult();
        ObjectNode r = prev == null ? NODES.objectNode() : prev.deepCopy();
        r.put("cniVersion", cfg.cniVersion());
        ArrayNode interfaces = array(r, "interfaces");
        if (ep.hostIfname() != null) {
            interfaces.addObject().put("name", ep.hostIfname());
        }
        int index = interfaces.size();
        interfaces.addObject().put("name", ep.ifname()).put("mac", ep.mac()).put("sandbox", netns);
        ArrayNode ips = array(r, "ips");
        ArrayNode routes = array(r, "routes");
        for (String a : new String[] {ep.ipv4(), ep.ipv6()}) {
            if (a == null) {
                continue;
            }
            IpPrefix p = IpPrefix.parse(a);
            ObjectNode ip = ips.addObject();
            if (old) {
                ip.put("version", p.isIpv4() ? "4" : "6");
            }
            ip.put("address", a);
            String gw = gateway(n, p.isIpv4());
            if (gw != null) {
                ip.put("gateway", gw);
                if (delegated == null) {
                    routes.addObject().put("dst", p.isIpv4() ? "0.0.0.0/0" : "::/0").put("gw", gw);
                }
            }
            ip.put("interface", index);
        }
        if (delegated != null) {
            delegated.path("routes").forEach(routes::add);
        }
        dns(r, cfg, delegated);
        return r;
    }

    /** The network's gateway of that family, or null (none, or an internal network). */
    static String gateway(NetworkState n, boolean ipv4) {
        if (n.internal()) {
            return null;
        }
        for (NetworkState.SubnetState s : n.subnets()) {
            if (s.gateway() != null) {
                IpPrefix gw = IpPrefix.parse(s.gateway());
                if (gw.isIpv4() == ipv4) {
                    return IpPrefix.format(gw.address());
                }
            }
        }
        return null;
    }

    private static ArrayNode array(ObjectNode r, String field) {
        JsonNode a = r.get(field);
        return a != null && a.isArray() ? (ArrayNode) a : r.putArray(field);
    }

    /** dns: the configuration's "dns" section, the delegate's, then the runtime's capability (servers, searches, options). */
    private static void dns(ObjectNode r, CniConfig cfg, ObjectNode delegated) {
        ObjectNode dns = r.get("dns") instanceof ObjectNode d ? d : NODES.objectNode();
        for (JsonNode source : new JsonNode[] {cfg.raw().path("dns"), delegated == null ? null : delegated.path("dns")}) {
            if (source != null && source.isObject()) {
                source.properties().forEach(e -> dns.set(e.getKey(), e.getValue()));
            }
        }
        JsonNode rc = cfg.runtimeConfig().path("dns");
        if (rc.isObject()) {
            copy(rc, "servers", dns, "nameservers");
            copy(rc, "searches", dns, "search");
            copy(rc, "options", dns, "options");
            if (rc.path("domain").isTextual()) {
                dns.put("domain", rc.get("domain").asText());
            }
        }
        if (!dns.isEmpty()) {
            r.set("dns", dns);
        }
    }

    private static void copy(JsonNode from, String field, ObjectNode to, String as) {
        if (from.path(field).isArray() && !from.get(field).isEmpty()) {
            to.set(as, from.get(field));
        }
    }
}
