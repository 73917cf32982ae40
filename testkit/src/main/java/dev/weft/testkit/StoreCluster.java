package dev.weft.testkit;

import dev.weft.net.IpPrefix;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A replicated store on several simulated hosts: a 3-member (or any size) etcd cluster, or a
 * ZooKeeper ensemble, one member per host, on the hosts' underlay addresses. {@link #url()} names
 * every member, as weftd's {@code --kv-store} takes them; members can be killed, stopped and
 * started again on their data to inject faults, and {@link #leader()} says which one leads now.
 */
public final class StoreCluster implements AutoCloseable {
    private static final Pattern ETCD_STATUS = Pattern.compile("\"member_id\":(\\d+).*?\"leader\":(\\d+)");
    private final String scheme;
    private final List<StoreServer> members;

    private StoreCluster(String scheme, List<StoreServer> members) {
        this.scheme = scheme;
        this.members = List.copyOf(members);
    }

    /** An etcd cluster with one member on each of {@code hosts} (client port 2379, peer port 2380). */
    public static StoreCluster etcd(List<SimulatedHost> hosts, Path dir) {
        List<String> initial = new ArrayList<>();
        for (SimulatedHost h : hosts) {
            initial.add("m" + h.index() + "=http://" + IpPrefix.format(h.address()) + ":2380");
        }
        List<StoreServer> members = new ArrayList<>();
        for (SimulatedHost h : hosts) {
            members.add(StoreServer.etcdMember(h, dir.resolve("etcd-" + h.index()), 2379, 2380, null,
                    "m" + h.index(), String.join(",", initial)));
        }
        return started("etcd", members);
    }

    /** A ZooKeeper ensemble with one server on each of {@code hosts} (client port 2181). */
    public static StoreCluster zookeeper(List<SimulatedHost> hosts, Path dir) {
        List<String> servers = new ArrayList<>();
        for (int i = 0; i < hosts.size(); i++) {
            servers.add("server." + (i + 1) + "=" + IpPrefix.format(hosts.get(i).address()) + ":2888:3888");
        }
        List<StoreServer> members = new ArrayList<>();
        for (int i = 0; i < hosts.size(); i++) {
            List<String> ensemble = new ArrayList<>(List.of(String.valueOf(i + 1)));
            ensemble.addAll(servers);
            members.add(StoreServer.zookeeperMember(hosts.get(i), dir.resolve("zk-" + hosts.get(i).index()), 2181, 2181,
                    null, ensemble));
        }
        return started("zk", members);
    }

    /** Launches every member at once (none serves before a majority runs), then waits for each. */
    private static StoreCluster started(String scheme, List<StoreServer> members) {
        StoreCluster c = new StoreCluster(scheme, members);
        try {
            members.forEach(StoreServer::launch);
            members.forEach(StoreServer::awaitReady);
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** SCHEME://HOST:PORT,HOST:PORT,... naming every member. */
    public String url() {
        return scheme + "://" + String.join(",", members.stream().map(StoreServer::hostPort).toList());
    }

    public int size() {
        return members.size();
    }

    public StoreServer member(int i) {
        return members.get(i);
    }

    /** Starts member {@code i} again on its data and waits until it serves (it needs a majority running). */
    public void start(int i) {
        members.get(i).start();
    }

    /** Launches the stopped members {@code which} together (they may need each other for a majority), then waits. */
    public void startAll(List<Integer> which) {
        which.forEach(i -> members.get(i).launch());
        which.forEach(i -> members.get(i).awaitReady());
    }

    /**
     * The index of the member that leads now, or -1 if no running member knows of a leader
     * (etcd: its status names the leader's member id; ZooKeeper: "srvr" says "Mode: leader").
     */
    public int leader() {
        for (int i = 0; i < members.size(); i++) {
            StoreServer m = members.get(i);
            if (!m.running()) {
                continue;
            }
            if (scheme.equals("zk")) {
                if (m.srvr().contains("Mode: leader")) {
                    return i;
                }
                continue;
            }
            String status;
            try {
                status = m.host().exec("etcdctl", "--endpoints", "http://" + m.hostPort(), "--command-timeout", "2s",
                        "endpoint", "status", "-w", "json");
            } catch (RuntimeException e) {
                continue;
            }
            Matcher found = ETCD_STATUS.matcher(status);
            if (found.find() && found.group(1).equals(found.group(2))) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void close() {
        members.forEach(StoreServer::close);
    }
}
