package dev.weft.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.linux.rtnl.FdbEntry;
import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.Neighbour;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.net.IpPrefix;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the store and every host's kernel say about the containers of a {@link FaultCluster}, and
 * what is wrong with it. Containers are named {@code cH-...} after the host H that runs them.
 * {@link #problems} checks: every container expected is there with an endpoint on each of its
 * networks; no endpoint is orphaned or belongs to a container that is gone; no address is
 * held twice and etcd holds each endpoint's address for that endpoint and no address for an
 * endpoint that is gone; and each host with a container on a network has a forwarding and a
 * neighbour entry for exactly the endpoints of that network on the other live hosts (those
 * with a host key), and none towards an endpoint that is gone or a host that is not live.
 */
public final class ClusterView {
    private final FaultCluster c;
    private final Map<String, String> subnets;

    /** {@code subnets}: network name -> its IPv4 subnet (as "203.0.113.0/24"). */
    public ClusterView(FaultCluster c, Map<String, String> subnets) {
        this.c = c;
        this.subnets = Map.copyOf(subnets);
    }

    /** An endpoint as the API shows it. */
    record Endpoint(String network, String id, String container, String mac, String address, boolean orphaned) {
        int host() {
            return hostOf(container);
        }
    }

    /** The host index in a container name {@code cH-...}, or -1 (a published service's endpoint). */
    static int hostOf(String container) {
        if (!container.startsWith("c") || container.indexOf('-') < 2) {
            return -1;
        }
        return Integer.parseInt(container.substring(1, container.indexOf('-')));
    }

    /** The host indexes whose host key is in etcd now. */
    public Set<Integer> liveHosts() {
        Set<Integer> live = new TreeSet<>();
        for (String key : c.etcdctl("get", "--prefix", "--keys-only", "/weft/hosts/").lines().filter(l -> !l.isBlank()).toList()) {
            String address = key.substring(key.lastIndexOf('/') + 1);
            for (int h = 0; h < c.size(); h++) {
                if (IpPrefix.format(c.host(h).address()).equals(address)) {
                    live.add(h);
                }
            }
        }
        return live;
    }

    /**
     * Everything wrong now, one line each; empty when the cluster is consistent. {@code expected}:
     * container name -> the networks it must be on; {@code reachable}: the hosts whose API and kernel
     * can be read (not cut off, weftd running).
     */
    public List<String> problems(Map<String, Set<String>> expected, Set<Integer> reachable) {
        List<String> problems = new ArrayList<>();
        Map<Integer, Set<String>> containers = new HashMap<>();
        for (int h : reachable) {
            Set<String> names = new HashSet<>();
            c.api(h).get("/v1/containers").forEach(x -> names.add(x.path("Name").asText()));
            containers.put(h, names);
        }
        int reader = reachable.iterator().next();
        List<Endpoint> endpoints = new ArrayList<>();
        for (String n : subnets.keySet()) {
            JsonNode net = c.api(reader).get("/v1/networks/" + n);
            for (JsonNode e : net.path("Containers")) {
                String a = e.path("IPv4Address").asText();
                endpoints.add(new Endpoint(n, e.path("EndpointID").asText(), e.path("Name").asText(), e.path("MacAddress").asText(),
                        a.contains("/") ? a.substring(0, a.indexOf('/')) : a, e.path("Orphaned").asBoolean()));
            }
        }
        expected.forEach((name, nets) -> {
            int h = hostOf(name);
            if (containers.containsKey(h) && !containers.get(h).contains(name)) {
                problems.add("container " + name + " is missing on host " + h);
            }
            for (String n : nets) {
                if (endpoints.stream().noneMatch(e -> e.container().equals(name) && e.network().equals(n))) {
                    problems.add("container " + name + " has no endpoint on " + n);
                }
            }
        });
        Map<String, Endpoint> byAddress = new HashMap<>();
        for (Endpoint e : endpoints) {
            if (e.orphaned()) {
                problems.add("orphaned endpoint " + e);
            }
            if (e.host() >= 0 && containers.containsKey(e.host()) && !containers.get(e.host()).contains(e.container())) {
                problems.add("endpoint of a container that is gone: " + e);
            }
            Endpoint before = byAddress.put(e.network() + "/" + e.address(), e);
            if (before != null) {
                problems.add("address " + e.address() + " held twice: " + before + " and " + e);
            }
        }
        problems.addAll(storeProblems(endpoints));
        Set<Integer> live = liveHosts();
        for (int h : reachable) {
            problems.addAll(kernelProblems(h, endpoints, live));
        }
        return problems;
    }

    /** etcd's address keys in the networks' subnets against the endpoints. */
    private List<String> storeProblems(List<Endpoint> endpoints) {
        Map<String, String> owners = new HashMap<>();
        List<String> lines = c.etcdctl("get", "--prefix", "/weft/ipam/").lines().toList();
        Set<String> escaped = new HashSet<>();
        subnets.values().forEach(s -> escaped.add(s.replace('/', '_')));
        for (int i = 0; i + 1 < lines.size(); i += 2) {
            String[] parts = lines.get(i).split("/");
            if (lines.get(i).contains("/addresses/") && escaped.contains(parts[parts.length - 2])) {
                owners.put(parts[parts.length - 1], lines.get(i + 1).strip());
            }
        }
        List<String> problems = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Endpoint e : endpoints) {
            ids.add(e.id());
            if (!e.id().equals(owners.get(e.address()))) {
                problems.add("etcd holds " + e.address() + " for " + owners.get(e.address()) + ", not for " + e);
            }
        }
        owners.forEach((address, owner) -> {
            if (owner.length() >= 32 && !owner.contains(":") && !ids.contains(owner)) {
                problems.add("etcd holds " + address + " for endpoint " + owner + ", which is gone");
            }
        });
        return problems;
    }

    /** Host {@code h}'s forwarding and neighbour entries towards other hosts against the live endpoints. */
    private List<String> kernelProblems(int h, List<Endpoint> endpoints, Set<Integer> live) {
        Map<String, Integer> hostByAddress = new HashMap<>();
        for (int i = 0; i < c.size(); i++) {
            hostByAddress.put(IpPrefix.format(c.host(i).address()), i);
        }
        Set<String> seen = new TreeSet<>(); // MAC->host index, and IP->MAC
        try (Rtnetlink nl = c.host(h).rtnetlink()) {
            for (Link l : nl.links().list()) {
                if (!l.name().startsWith("wn-")) {
                    continue;
                }
                Map<String, Integer> remoteMacs = new HashMap<>();
                for (FdbEntry f : nl.fdb().list(l.name())) {
                    Integer dest = f.destination() == null ? null : hostByAddress.get(IpPrefix.format(f.destination()));
                    if (dest != null && dest != h) {
                        remoteMacs.put(f.mac().toString(), dest);
                        seen.add("fdb " + f.mac() + " -> host " + dest);
                    }
                }
                for (Neighbour n : nl.neighbours().list(l.name())) {
                    if (remoteMacs.containsKey(n.mac().toString())) {
                        seen.add("neigh " + IpPrefix.format(n.ip()) + " -> " + n.mac());
                    }
                }
            }
        }
        Set<String> localNetworks = new HashSet<>();
        endpoints.stream().filter(e -> e.host() == h).forEach(e -> localNetworks.add(e.network()));
        Set<String> wanted = new TreeSet<>();
        Set<String> allowed = new TreeSet<>();
        for (Endpoint e : endpoints) {
            if (e.host() < 0 || e.host() == h || !live.contains(e.host())) {
                continue;
            }
            List<String> entries = List.of("fdb " + e.mac() + " -> host " + e.host(), "neigh " + e.address() + " -> " + e.mac());
            allowed.addAll(entries);
            if (localNetworks.contains(e.network())) {
                wanted.addAll(entries);
            }
        }
        List<String> problems = new ArrayList<>();
        for (String w : wanted) {
            if (!seen.contains(w)) {
                problems.add("host " + h + " lacks " + w);
            }
        }
        for (String s : seen) {
            if (!allowed.contains(s)) {
                problems.add("host " + h + " holds stale " + s);
            }
        }
        return problems;
    }
}
