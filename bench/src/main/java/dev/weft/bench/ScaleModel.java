package dev.weft.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A paper model of the global store's load at many hosts, from per-operation costs measured on a
 * few: a join or leave costs {@link Cost#writes} store writes of {@link Cost#bytes} bytes and
 * delivers watch events to the host that made it ({@link Cost#eventsSelf}), to each other host of
 * its network ({@link Cost#eventsMember}) and to each host outside it ({@link Cost#eventsOther}).
 * Every host holds {@code leasesPerHost} leases, each renewed every {@code renewSeconds}.
 */
record ScaleModel(Cost join, Cost leave, double leasesPerHost, double renewSeconds) {

    /** What one operation costs, averaged over measured operations. */
    record Cost(double writes, double bytes, double eventsSelf, double eventsMember, double eventsOther) {
        /** Watch events one operation delivers cluster-wide: {@code hosts} in all, {@code members} of them in its network. */
        double events(int hosts, int members) {
            return eventsSelf + (members - 1) * eventsMember + (hosts - members) * eventsOther;
        }
    }

    /** The load with {@code hosts} hosts, {@code members} hosts per network, and {@code churn} joins (and as many leaves) per host per minute. */
    Load at(int hosts, int members, double churn) {
        if (members < 1 || members > hosts) {
            throw new IllegalArgumentException("hosts per network " + members + " must be 1-" + hosts);
        }
        double joinsPerSecond = hosts * churn / 60.0;
        double writes = joinsPerSecond * (join.writes + leave.writes);
        double bytes = joinsPerSecond * (join.bytes + leave.bytes);
        double events = joinsPerSecond * (join.events(hosts, members) + leave.events(hosts, members));
        double leases = hosts * leasesPerHost;
        return new Load(hosts, members, churn, joinsPerSecond, writes, bytes, events, events / hosts, leases,
                leases / renewSeconds);
    }

    /** The model's answer: rates per second, cluster-wide unless named per host. */
    record Load(int hosts, int members, double churn, double joinsPerSecond, double writesPerSecond,
                double bytesPerSecond, double eventsPerSecond, double eventsPerHostPerSecond, double leases,
                double renewalsPerSecond) {
        String row() {
            return String.format(Locale.ROOT, "| %d | %d | %.0f | %.1f | %.0f | %.1f | %.0f | %.1f | %.0f | %.0f |",
                    hosts, members, churn, joinsPerSecond, writesPerSecond, bytesPerSecond / 1024, eventsPerSecond,
                    eventsPerHostPerSecond, leases, renewalsPerSecond);
        }
    }

    /** A Markdown table of the load at each of {@code loads}. */
    static List<String> table(List<Load> loads) {
        List<String> out = new ArrayList<>();
        out.add("| hosts | hosts per network | joins + leaves per host per min | joins/s | store writes/s | KiB written/s"
                + " | watch events delivered/s | per host/s | leases | lease renewals/s |");
        out.add("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        loads.forEach(l -> out.add(l.row()));
        return out;
    }
}
