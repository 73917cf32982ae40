package dev.weft.daemon.api;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** Docker's network list filters: each filter matches if any of its values does; all filters must match. */
final class NetworkFilters {
    static final Set<String> KNOWN = Set.of("name", "id", "driver", "label", "scope", "type");

    private NetworkFilters() {
    }

    static void check(Map<String, List<String>> filters) {
        for (String key : filters.keySet()) {
            if (!KNOWN.contains(key)) {
                throw new ApiException(400, "invalid filter \"" + key + "\" (known: driver, id, label, name, scope, type)");
            }
        }
    }

    static boolean matches(NetworkResource n, Map<String, List<String>> filters) {
        for (Map.Entry<String, List<String>> f : filters.entrySet()) {
            boolean any = false;
            for (String v : f.getValue()) {
                any |= switch (f.getKey()) {
                    case "name" -> n.name().contains(v);
                    case "id" -> n.id().startsWith(v);
                    case "driver" -> n.driver().equals(v);
                    case "scope" -> n.scope().equals(v);
                    case "type" -> v.equals("custom"); // every weft network is user-defined; none is "builtin"
                    case "label" -> label(n.labels(), v);
                    default -> false;
                };
            }
            if (!any) {
                return false;
            }
        }
        return true;
    }

    private static boolean label(Map<String, String> labels, String filter) {
        int eq = filter.indexOf('=');
        return eq < 0 ? labels.containsKey(filter) : filter.substring(eq + 1).equals(labels.get(filter.substring(0, eq)));
    }
}
