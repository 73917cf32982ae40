package dev.weft.bench;

import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.List;
import java.util.Locale;

/** What one {@link ScaleRun} measured, and its part of the Markdown report. */
final class ScaleResult {
    final int hosts;
    final int perNetwork;
    final long setupNanos;
    int probes;
    int failures;
    int leases = -1;
    final Samples created = new Samples("POST /v1/containers/create answered", "weft");
    final Samples byAddress = new Samples("join until reachable by address from every other host of its network", "weft");
    final Samples byName = new Samples("join until its name resolves on every other host of its network", "weft");
    final Samples pairAddress = new Samples("... by address, each (join, other host) pair", "weft");
    final Samples pairName = new Samples("... by name, each (join, other host) pair", "weft");
    final Samples removed = new Samples("DELETE /v1/containers/NAME?force=true answered", "weft");
    int unreached;
    /** Per sampled join and leave: {writes, bytes, etcd writes, etcd gRPC bytes received}. */
    private final List<double[]> joinCost = new ArrayList<>();
    private final List<double[]> leaveCost = new ArrayList<>();
    /** Watch events per host per sampled operation: [join, leave][self, member, other]. */
    private final DoubleSummaryStatistics[][] events = new DoubleSummaryStatistics[2][3];
    private final List<String> phases = new ArrayList<>();
    final List<Phase> phaseValues = new ArrayList<>();
    private long bulkStarted;
    private long bulkStartNanos;
    private long bulkRemoved;
    private long bulkRemoveNanos;
    private String allJoins = "";
    private String allLeaves = "";

    ScaleResult(int hosts, int perNetwork, long setupNanos) {
        this.hosts = hosts;
        this.perNetwork = perNetwork;
        this.setupNanos = setupNanos;
        for (DoubleSummaryStatistics[] e : events) {
            for (int i = 0; i < e.length; i++) {
                e[i] = new DoubleSummaryStatistics();
            }
        }
    }

    void phase(String name, Phase p) {
        phases.add(p.row(name));
        phaseValues.add(p);
    }

    void wave(boolean start, int count, long nanos) {
        if (start) {
            bulkStarted += count;
            bulkStartNanos += nanos;
        } else {
            bulkRemoved += count;
            bulkRemoveNanos += nanos;
        }
    }

    void join(long createdNanos, long[] address, long[] name, int host, List<Integer> members, StoreCounters before,
              StoreCounters after) {
        created.add(createdNanos);
        long worstAddress = 0;
        long worstName = 0;
        boolean reached = true;
        for (int g : members) {
            if (g == host) {
                continue;
            }
            if (address[g] < 0 || name[g] < 0) {
                reached = false;
            }
            if (address[g] >= 0) {
                pairAddress.add(address[g]);
            }
            if (name[g] >= 0) {
                pairName.add(name[g]);
            }
            worstAddress = Math.max(worstAddress, address[g]);
            worstName = Math.max(worstName, name[g]);
        }
        if (reached) {
            byAddress.add(worstAddress);
            byName.add(worstName);
        } else {
            unreached++;
        }
        cost(joinCost, events[0], host, members, before, after);
    }

    void leave(long removedNanos, int host, List<Integer> members, StoreCounters before, StoreCounters after) {
        removed.add(removedNanos);
        cost(leaveCost, events[1], host, members, before, after);
    }

    private void cost(List<double[]> costs, DoubleSummaryStatistics[] ev, int host, List<Integer> members,
                      StoreCounters before, StoreCounters after) {
        boolean etcd = after.etcdWrites() >= 0; // -1: the store is not etcd, shown as n/a
        costs.add(new double[] {after.writesSince(before), after.bytesSince(before),
            etcd ? after.etcdWrites() - before.etcdWrites() : -1,
            etcd ? after.etcdReceivedBytes() - before.etcdReceivedBytes() : -1});
        for (int g = 0; g < hosts; g++) {
            ev[g == host ? 0 : members.contains(g) ? 1 : 2].accept(after.eventsSince(before, g));
        }
    }

    void allJoins(int count, StoreCounters before, StoreCounters after) {
        allJoins = all("every start (bulk and sampled)", count, before, after);
    }

    void allLeaves(int count, StoreCounters before, StoreCounters after) {
        allLeaves = all("every removal (bulk and sampled)", count, before, after);
    }

    private static String all(String what, int count, StoreCounters before, StoreCounters after) {
        double etcd = after.etcdWrites() < 0 ? Double.NaN : (after.etcdWrites() - before.etcdWrites()) / (double) count;
        double etcdBytes = after.etcdWrites() < 0 ? Double.NaN
                : (after.etcdReceivedBytes() - before.etcdReceivedBytes()) / (double) count;
        long events = 0;
        for (int h = 0; h < after.events().length; h++) {
            events += after.eventsSince(before, h);
        }
        return String.format(Locale.ROOT, "| %s, mean of %d | %.2f | %.0f | %s | %s | %.1f (all hosts) |%n", what, count,
                after.writesSince(before) / (double) count, after.bytesSince(before) / (double) count, num(etcd, "%.2f"),
                num(etcdBytes, "%.0f"), events / (double) count);
    }

    private static String num(double v, String format) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, format, v);
    }

    /** The mean of column {@code i} of the sampled joins ({@code join}) or leaves. */
    double meanCost(boolean join, int i) {
        return (join ? joinCost : leaveCost).stream().mapToDouble(c -> c[i]).average().orElse(Double.NaN);
    }

    /** Mean watch events per host per sampled operation: {@code who} 0 the host itself, 1 another member, 2 a host outside the network. */
    double meanEvents(boolean join, int who) {
        DoubleSummaryStatistics s = events[join ? 0 : 1][who];
        return s.getCount() == 0 ? 0 : s.getAverage();
    }

    ScaleModel.Cost modelCost(boolean join) {
        return new ScaleModel.Cost(meanCost(join, 0), meanCost(join, 1), meanEvents(join, 0), meanEvents(join, 1),
                meanEvents(join, 2));
    }

    String report(String store) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%n#### %d hosts, %s%n%n", hosts, store));
        out.append(String.format(Locale.ROOT, "- %d hosts per network, %d probe containers; cluster up (store, weftd) in %.1f s;"
                + " bulk starts %.1f/s, bulk removals %.1f/s; %d bulk operations failed; %d sampled joins not reached"
                + " from every member within the deadline (left out of the join rows)%s%n%n", perNetwork, probes,
                setupNanos / 1e9, bulkStarted / (bulkStartNanos / 1e9), bulkRemoved / (bulkRemoveNanos / 1e9), failures, unreached,
                leases >= 0 ? "; etcd leases at the peak: " + leases : ""));
        out.append("| measure | N | p50 ms | p95 ms | p99 ms | max ms |\n|---|--:|--:|--:|--:|--:|\n");
        for (Samples s : List.of(byAddress, byName, pairAddress, pairName, created, removed)) {
            if (s.count() > 0) {
                out.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.0f | %.0f |%n", s.operation(), s.count(),
                        s.percentileMs(50), s.percentileMs(95), s.percentileMs(99), s.maxMs()));
            }
        }
        out.append("\n| store cost | weft writes (all hosts) | bytes written | etcd puts + deletes | etcd gRPC bytes received | watch events per host: the host itself | another host of the network | a host outside it |\n"
                + "|---|--:|--:|--:|--:|--:|--:|--:|\n");
        out.append(costRow("sampled join, mean of " + joinCost.size(), joinCost, true));
        out.append(costRow("sampled leave, mean of " + leaveCost.size(), leaveCost, false));
        out.append(allJoins.replace("(all hosts) |", "(all hosts) | | |"));
        out.append(allLeaves.replace("(all hosts) |", "(all hosts) | | |"));
        out.append('\n').append(Phase.HEADER).append('\n');
        phases.forEach(p -> out.append(p).append('\n'));
        return out.toString();
    }

    private String costRow(String what, List<double[]> costs, boolean join) {
        if (costs.isEmpty()) {
            return "";
        }
        String[] cells = new String[4];
        for (int i = 0; i < 4; i++) {
            int col = i;
            DoubleSummaryStatistics s = costs.stream().mapToDouble(c -> c[col]).summaryStatistics();
            cells[i] = s.getMin() < 0 ? "n/a" : String.format(Locale.ROOT, i % 2 == 0 ? "%.2f (%.0f-%.0f)" : "%.0f (%.0f-%.0f)",
                    s.getAverage(), s.getMin(), s.getMax());
        }
        return String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %.2f | %.2f | %.2f |%n", what, cells[0], cells[1], cells[2],
                cells[3], meanEvents(join, 0), meanEvents(join, 1), meanEvents(join, 2));
    }
}
