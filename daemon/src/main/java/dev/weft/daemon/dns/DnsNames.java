package dev.weft.daemon.dns;

import dev.weft.engine.Controller;
import dev.weft.engine.Endpoint;
import dev.weft.engine.Network;
import dev.weft.engine.Sandbox;
import dev.weft.engine.state.EndpointState;
import dev.weft.net.IpPrefix;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The names one sandbox can resolve, read from the controller at query time so that joins and
 * leaves show at once: for every network the sandbox is on, each joined endpoint by its name, its
 * container's hostname and its aliases, each also qualified by the network ("db.prod"). On
 * global networks that includes the endpoints on the other live hosts. A service's virtual IP
 * answers for the service's name and aliases (qualified too), and {@code tasks.SVC} (and
 * {@code tasks.SVC.NET}) for the addresses of every backend that is joined and reachable, as
 * Swarm names them; with no backend, {@code tasks.SVC} is a name without addresses.
 */
final class DnsNames {
    private final Map<String, List<InetAddress>> names = new LinkedHashMap<>();

    private DnsNames() {
    }

    static DnsNames of(Controller controller, String sandboxId) {
        DnsNames out = new DnsNames();
        Map<String, String> hostnames = new HashMap<>(); // one pass over the sandboxes, not one lookup per endpoint
        for (Sandbox sb : controller.sandboxes()) {
            String h = sb.state().hostname();
            hostnames.put(sb.id(), h == null ? "" : h);
        }
        Sandbox sandbox = controller.sandbox(sandboxId);
        for (Endpoint own : sandbox.endpoints()) {
            Network network = own.network();
            String net = network.name();
            for (EndpointState ep : network.endpointStates()) {
                if (ep.vip()) {
                    for (String label : labels(ep)) {
                        out.add(label, ep);
                        out.add(label + "." + net, ep);
                    }
                    out.names.putIfAbsent("tasks." + ep.name().toLowerCase(Locale.ROOT), new ArrayList<>());
                    out.names.putIfAbsent("tasks." + (ep.name() + "." + net).toLowerCase(Locale.ROOT), new ArrayList<>());
                    continue;
                }
                if (ep.sandboxId() == null || !controller.reachable(ep)) {
                    continue; // not attached, or on a host that is gone
                }
                if (ep.service() != null) { // a backend of a virtual IP: tasks.SVC answers every backend (Swarm's name)
                    out.add("tasks." + ep.service(), ep);
                    out.add("tasks." + ep.service() + "." + net, ep);
                }
                List<String> labels = labels(ep);
                String hostname = hostnames.getOrDefault(ep.sandboxId(), "");
                if (!hostname.isBlank()) {
                    labels.add(hostname);
                }
                for (String label : labels) {
                    out.add(label, ep);
                    out.add(label + "." + net, ep);
                }
            }
        }
        return out;
    }

    /** Names given as they are (name to addresses). */
    static DnsNames of(Map<String, List<InetAddress>> given) {
        DnsNames out = new DnsNames();
        given.forEach((name, addresses) -> out.names.put(name.toLowerCase(Locale.ROOT), List.copyOf(addresses)));
        return out;
    }

    private static List<String> labels(EndpointState ep) {
        List<String> labels = new ArrayList<>(ep.aliases());
        labels.add(ep.name());
        return labels;
    }

    private void add(String name, EndpointState ep) {
        List<InetAddress> addresses = names.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>());
        for (String a : new String[] {ep.ipv4(), ep.ipv6()}) {
            if (a != null) {
                InetAddress ip = IpPrefix.parse(a).address();
                if (!addresses.contains(ip)) {
                    addresses.add(ip);
                }
            }
        }
    }

    /** The addresses of {@code name} (lower case, no trailing dot), or null if the name is unknown. */
    List<InetAddress> lookup(String name) {
        return names.get(name);
    }

    /** The first name (the most specific: aliases, endpoint name, hostname) that has {@code address}. */
    String reverse(InetAddress address) {
        String qualified = null;
        for (Map.Entry<String, List<InetAddress>> e : names.entrySet()) {
            if (e.getValue().contains(address)) {
                if (e.getKey().indexOf('.') < 0) {
                    return e.getKey();
                }
                qualified = qualified == null ? e.getKey() : qualified;
            }
        }
        return qualified;
    }
}
