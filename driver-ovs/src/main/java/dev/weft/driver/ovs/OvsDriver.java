package dev.weft.driver.ovs;

import dev.weft.engine.NetworkConfig;
import dev.weft.engine.Scope;
import dev.weft.engine.WeftException;
import dev.weft.engine.driver.EndpointInterface;
import dev.weft.engine.driver.NetworkDriver;
import dev.weft.engine.driver.SandboxPort;
import dev.weft.engine.state.EndpointState;
import dev.weft.engine.state.NetworkState;
import dev.weft.linux.KernelException;
import dev.weft.linux.netns.Netns;
import dev.weft.net.MacAddress;
import dev.weft.loris.OvsPorts;
import dev.weft.ovsdb.OvsdbClient;
import dev.weft.store.Store;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ovs driver: each endpoint is a loris pod port on Open vSwitch (the bridge {@code loris init}
 * made), so weft containers share pods with containers {@code loris connect} put there, on this host
 * and, through the tunnels {@code loris cluster} made, on the others. Options: {@code pod} (1-4093;
 * absent: the global pod) and {@code ovs_db} (the OVSDB server, default unix:$OVS_RUNDIR/db.sock as for ovs-vsctl,
 * else unix:/var/run/openvswitch/db.sock).
 * Scope local: the tunnel mesh is loris's. Given the global store (hosts sharing one), scope global:
 * the tunnel mesh of every Open vSwitch its networks use follows the live hosts, and a MAC address is
 * unique within a pod across hosts ({@link MacClaims}).
 */
public final class OvsDriver implements NetworkDriver {
    static final String POD = "pod";
    static final String DB = "ovs_db";
    static final String OWNER = "weft";
    private static final Set<String> GENERIC = Set.of("com.docker.network.container_iface_prefix",
            "com.docker.network.enable_ipv6", "com.docker.network.internal", "com.docker.network.driver.mtu");
    private static final System.Logger LOG = System.getLogger(OvsDriver.class.getName());
    private final Netns host;
    private final MacClaims claims;
    private final Set<String> dbs = ConcurrentHashMap.newKeySet();

    /** {@code host}: the namespace weft treats as the host, where Open vSwitch runs (null: this process's). */
    public OvsDriver(Netns host) {
        this(host, null, null);
    }

    /**
     * In global scope when {@code global} is not null: {@code self} is this host's advertise address,
     * as the store's live hosts name it.
     */
    public OvsDriver(Netns host, Store global, String self) {
        this.host = host;
        this.claims = global == null ? null : new MacClaims(global, self);
    }

    @Override
    public String name() {
        return "ovs";
    }

    @Override
    public Scope scope() {
        return claims == null ? Scope.LOCAL : Scope.GLOBAL;
    }

    @Override
    public boolean allocatesAddresses() {
        return true;
    }

    record Options(int pod, String db) {
    }

    static Options parse(Map<String, String> options) {
        Set<String> unknown = new TreeSet<>(options.keySet());
        unknown.removeAll(Set.of(POD, DB));
        unknown.removeAll(GENERIC);
        if (!unknown.isEmpty()) {
            throw WeftException.invalid("unknown ovs driver option(s): " + String.join(", ", unknown) + " (known: pod, ovs_db)");
        }
        int pod = 0;
        String p = options.get(POD);
        if (p != null) {
            try {
                pod = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                pod = -1;
            }
            if (pod < 1 || pod > 4093) {
                throw WeftException.invalid("option pod must be a pod number 1-4093, not \"" + p + "\"");
            }
        }
        String db = options.getOrDefault(DB, OvsdbClient.defaultUrl());
        if (!db.startsWith("unix:")) {
            throw WeftException.invalid("option ovs_db must be unix:PATH, not \"" + db + "\"");
        }
        return new Options(pod, db);
    }

    private OvsPorts ports(String db) {
        try {
            return OvsPorts.connect(db, host);
        } catch (IllegalStateException e) {
            throw WeftException.unavailable(e.getMessage(), e);
        }
    }

    @Override
    public void validate(NetworkConfig config) {
        Options o = parse(config.options());
        try (OvsPorts p = ports(o.db())) {
            p.requireBridge();
        } catch (IllegalStateException e) {
            throw WeftException.unavailable(e.getMessage(), e);
        }
    }

    @Override
    public void createNetwork(NetworkState network) {
        parse(network.options());
    }

    @Override
    public void deleteNetwork(NetworkState network) {
        // the bridge and tunnels are loris's; endpoints are gone before their network
    }

    @Override
    public String join(NetworkState n, EndpointState ep, SandboxPort sandbox, String ifname) {
        if (sandbox.hostNetwork()) {
            throw WeftException.forbidden("a sandbox on the host's network cannot join ovs network " + n.name());
        }
        Options o = parse(n.options());
        dbs.add(o.db());
        if (claims != null) {
            claims.claim(o.pod(), ep.mac(), ep.id());
        }
        try (OvsPorts p = ports(o.db())) {
            String port = p.attach(sandbox.netns(), ifname, MacAddress.parse(ep.mac()), o.pod(), OWNER,
                    "weft:" + ep.name(), ep.ipv4());
            try {
                EndpointInterface.configure(sandbox, ifname, ep);
            } catch (KernelException e) {
                p.detach(port);
                throw e;
            }
            return port;
        } catch (IllegalStateException | KernelException e) {
            release(o, ep);
            throw WeftException.unavailable("join endpoint " + ep.name() + " to network " + n.name() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean plumbed(NetworkState n, EndpointState ep, SandboxPort sandbox) {
        return sandbox.netns() != null && ep.ifname() != null && sandbox.rtnetlink().links().find(ep.ifname()).isPresent();
    }

    @Override
    public void leave(NetworkState n, EndpointState ep, SandboxPort sandbox) {
        if (ep.hostIfname() == null) {
            return;
        }
        Options o = parse(n.options());
        try (OvsPorts p = ports(o.db())) {
            p.detach(ep.hostIfname());
        } catch (IllegalStateException e) {
            throw WeftException.unavailable("leave network " + n.name() + ": " + e.getMessage(), e);
        }
        release(o, ep);
    }

    private void release(Options o, EndpointState ep) {
        if (claims != null) {
            claims.release(o.pod(), ep.mac(), ep.id());
        }
    }

    /**
     * Global scope: every Open vSwitch this host's ovs networks use gets one tunnel to each other live
     * host, and tunnels to hosts that left go; claims of hosts that left are dropped.
     */
    @Override
    public void hosts(Set<String> live, String self) {
        if (claims == null) {
            return;
        }
        List<String> remotes = live.stream().filter(h -> !h.equals(self)).sorted().toList();
        for (String db : dbs) {
            try (OvsPorts p = ports(db)) {
                p.mesh(remotes).forEach(line -> LOG.log(System.Logger.Level.INFO, db + ": " + line));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot update the tunnels of " + db + ": " + e.getMessage(), e);
            }
        }
        claims.forgetHostsBut(live);
    }

    /** Removes ports this driver made that no joined endpoint names (a crash between port and record). */
    @Override
    public void reconcile(List<NetworkState> networks, List<EndpointState> endpoints) {
        Set<String> known = new HashSet<>();
        endpoints.forEach(e -> {
            if (e.hostIfname() != null) {
                known.add(e.hostIfname());
            }
        });
        Set<String> dbs = new TreeSet<>();
        networks.forEach(n -> dbs.add(parse(n.options()).db()));
        this.dbs.addAll(dbs);
        if (claims != null) {
            try {
                claims.forgetOwnBut(endpoints.stream().map(EndpointState::id).collect(java.util.stream.Collectors.toSet()));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot check this host's MAC claims: " + e.getMessage(), e);
            }
        }
        for (String db : dbs) {
            try (OvsPorts p = ports(db)) {
                p.ports(OWNER).stream().filter(port -> !known.contains(port)).forEach(p::detach);
            } catch (RuntimeException e) {
                // Open vSwitch down: nothing to repair now; the next start tries again
            }
        }
    }
}
