package dev.weft.engine.driver.remote;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.engine.EngineObserver;
import dev.weft.engine.NetworkConfig;
import dev.weft.engine.Scope;
import dev.weft.engine.Undo;
import dev.weft.engine.WeftException;
import dev.weft.engine.driver.EndpointInterface;
import dev.weft.engine.driver.NetworkDriver;
import dev.weft.engine.driver.SandboxPort;
import dev.weft.engine.plugin.PluginClient;
import dev.weft.engine.plugin.PluginDiscovery;
import dev.weft.engine.state.EndpointState;
import dev.weft.engine.state.NetworkState;
import dev.weft.linux.KernelException;
import dev.weft.linux.netns.Netns;
import dev.weft.linux.rtnl.Links;
import dev.weft.linux.rtnl.Route;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.net.IpPrefix;
import dev.weft.net.MacAddress;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A network driver that is an external plugin speaking Docker's remote driver protocol
 * (libnetwork docs/remote.md): networks are created with {@code -d PLUGIN}, and this driver
 * forwards each step to the plugin. The plugin is activated (and its scope asked) on first use,
 * not at construction, so a controller starts even while a plugin is down.
 * <p>
 * weft creates endpoints (and their IPAM addresses) without the driver, so the plugin's
 * CreateEndpoint is called at join, just before Join, and DeleteEndpoint at leave, just after
 * Leave. The interface the plugin names in its Join reply ({@code SrcName}, in the host
 * namespace) is moved into the sandbox and renamed to the name weft chose ({@code eth0}, ...;
 * the reply's {@code DstPrefix} is not used), given the endpoint's MAC and addresses, set up,
 * and the reply's static routes are added. The default route stays the controller's: the
 * network's IPAM gateway ({@code Gateway} in the reply is not used). On a network that is not
 * internal, ProgramExternalConnectivity follows the join and RevokeExternalConnectivity comes
 * before Leave, with the endpoint's published ports in libnetwork's option form (also in the
 * CreateEndpoint and Join options); a plugin that does not implement them (404) is fine, as in
 * libnetwork. (libnetwork calls them only for the endpoint that gives a container its default
 * route; weft, whose driver does not see the sandbox's other endpoints, calls them for each.)
 */
public final class RemoteDriver implements NetworkDriver {
    /** Plugin refusals that mean "already gone", which teardown treats as done. */
    private static final System.Logger LOG = System.getLogger(RemoteDriver.class.getName());
    private static final Pattern GONE = Pattern.compile("not found|unknown|no such|does not exist|doesn't exist|not exist");
    private final PluginClient client;
    private final Netns hostNs;
    private final boolean ownsHostNs;
    private final Rtnetlink host;
    private volatile Scope scope;
    private final Set<String> knownHosts = new HashSet<>();

    /** The driver of plugin {@code client.plugin()}; {@code hostNs} is the host namespace (the process's when null). */
    public RemoteDriver(PluginClient client, Netns hostNs) {
        this.client = client;
        this.ownsHostNs = hostNs == null;
        this.hostNs = hostNs == null ? Netns.host() : hostNs;
        this.host = Rtnetlink.open(this.hostNs);
    }

    /** The driver of plugin {@code plugin} found through {@code discovery}, with the default timeouts. */
    public static RemoteDriver of(String plugin, PluginDiscovery discovery, Netns hostNs) {
        return of(plugin, discovery, hostNs, EngineObserver.NONE);
    }

    /** As {@link #of(String, PluginDiscovery, Netns)}, telling {@code observer} of every call to the plugin. */
    public static RemoteDriver of(String plugin, PluginDiscovery discovery, Netns hostNs, EngineObserver observer) {
        return new RemoteDriver(PluginClient.withDefaults(plugin, () -> discovery.address(plugin)).observedBy(observer),
                hostNs);
    }

    @Override
    public String name() {
        return client.plugin();
    }

    /** The plugin's scope, which activates it first: a plugin that cannot be activated fails here. */
    @Override
    public Scope scope() {
        Scope s = scope;
        if (s == null) {
            synchronized (this) {
                if (scope == null) {
                    client.activate("NetworkDriver", "a network driver");
                    scope = RemoteApi.scope(name(), client.call(RemoteApi.CAPABILITIES, null));
                }
                s = scope;
            }
        }
        return s;
    }

    /** Published ports go to the plugin (CreateEndpoint, Join and ProgramExternalConnectivity options), as in Docker. */
    @Override
    public boolean publishesPorts() {
        return true;
    }

    @Override
    public boolean allocatesAddresses() {
        return true;
    }

    /** Any options are the plugin's to judge (at CreateNetwork); here only the plugin must be usable. */
    @Override
    public void validate(NetworkConfig config) {
        scope();
    }

    @Override
    public void createNetwork(NetworkState network) {
        scope();
        client.call(RemoteApi.CREATE_NETWORK, RemoteApi.createNetwork(network));
    }

    @Override
    public void deleteNetwork(NetworkState network) {
        scope();
        callTolerant(RemoteApi.DELETE_NETWORK, RemoteApi.ids(network.id(), null));
    }

    /**
     * CreateEndpoint, Join, then the move of the plugin's interface into the sandbox; whatever
     * fails after CreateEndpoint undoes the steps done, in reverse (the interface given back to
     * the host, Leave, DeleteEndpoint), and the error is rethrown. Returns the plugin's SrcName.
     */
    @Override
    public String join(NetworkState n, EndpointState ep, SandboxPort sandbox, String ifname) {
        if (sandbox.hostNetwork()) {
            throw WeftException.forbidden("a sandbox on the host's network cannot join network " + n.name()
                    + " of plugin " + name());
        }
        scope();
        try (Undo undo = new Undo()) {
            JsonNode created = client.call(RemoteApi.CREATE_ENDPOINT, RemoteApi.createEndpoint(n, ep));
            undo.push("delete endpoint " + ep.name() + " in plugin " + name(),
                    () -> client.call(RemoteApi.DELETE_ENDPOINT, RemoteApi.ids(n.id(), ep.id())));
            RemoteApi.checkNoInterface(name(), created);
            JsonNode joined = client.call(RemoteApi.JOIN, RemoteApi.join(n, ep, sandbox.netns().path().toString()));
            undo.push("leave endpoint " + ep.name() + " in plugin " + name(),
                    () -> client.call(RemoteApi.LEAVE, RemoteApi.ids(n.id(), ep.id())));
            RemoteApi.JoinReply reply = RemoteApi.joinReply(name(), joined);
            try {
                plumb(reply, ep, sandbox, ifname, undo);
            } catch (KernelException e) {
                throw WeftException.unavailable("join endpoint " + ep.name() + " to network " + n.name() + " (plugin "
                        + name() + ", interface " + reply.srcName() + "): " + e.getMessage(), e);
            }
            if (!n.internal()) {
                callOptional(RemoteApi.PROGRAM_EXTERNAL, RemoteApi.programExternal(n, ep));
                undo.push("revoke the external connectivity of " + ep.name() + " in plugin " + name(),
                        () -> callOptional(RemoteApi.REVOKE_EXTERNAL, RemoteApi.ids(n.id(), ep.id())));
            }
            undo.commit();
            return reply.srcName();
        }
    }

    /** Moves SrcName into the sandbox as {@code ifname} with the endpoint's MAC, addresses and routes. */
    private void plumb(RemoteApi.JoinReply reply, EndpointState ep, SandboxPort sandbox, String ifname, Undo undo) {
        String src = reply.srcName();
        if (host.links().find(src).isEmpty()) {
            throw WeftException.unavailable("network plugin " + name() + " answered Join with interface " + src
                    + ", which does not exist on the host", null);
        }
        host.links().moveTo(src, sandbox.netns());
        Links inside = sandbox.rtnetlink().links();
        undo.push("give interface " + src + " back to the host",
                () -> giveBack(sandbox, inside.find(src).isPresent() ? src : ifname, src));
        inside.rename(src, ifname);
        if (ep.mac() != null) {
            inside.setMac(ifname, MacAddress.parse(ep.mac()));
        }
        EndpointInterface.configure(sandbox, ifname, ep);
        int index = inside.get(ifname).index();
        for (RemoteApi.StaticRoute r : reply.routes()) {
            Route route = r.type() == 1 ? Route.direct(r.destination(), index)
                    : Route.via(r.destination(), IpPrefix.parseAddress(r.nextHop())).withDevice(index);
            sandbox.rtnetlink().routes().replace(route);
        }
    }

    /**
     * Moves the sandbox's interface {@code current} back to the host as {@code src}, as libnetwork
     * does before Leave, so the plugin finds its device where it made it (the kernel drops the
     * addresses on the move). Nothing to do when it is gone (the plugin may have deleted it).
     */
    private void giveBack(SandboxPort sandbox, String current, String src) {
        Links inside = sandbox.rtnetlink().links();
        if (inside.find(current).isEmpty()) {
            return;
        }
        inside.setDown(current);
        if (!current.equals(src)) {
            inside.rename(current, src);
        }
        inside.moveTo(src, hostNs);
    }

    @Override
    public boolean plumbed(NetworkState n, EndpointState ep, SandboxPort sandbox) {
        return sandbox.netns() != null && ep.ifname() != null && sandbox.rtnetlink().links().find(ep.ifname()).isPresent();
    }

    /**
     * Gives the interface back to the host, then Leave and DeleteEndpoint; refusals that say the
     * endpoint is already gone count as done. An endpoint whose join did not complete (no
     * SrcName recorded) was already rolled back by {@link #join} and is left alone.
     */
    @Override
    public void leave(NetworkState n, EndpointState ep, SandboxPort sandbox) {
        if (ep.hostIfname() == null) {
            return;
        }
        if (sandbox.netns() != null && ep.ifname() != null) {
            try {
                giveBack(sandbox, ep.ifname(), ep.hostIfname());
            } catch (KernelException e) {
                throw WeftException.unavailable("leave endpoint " + ep.name() + " of network " + n.name()
                        + ": cannot give interface " + ep.ifname() + " back to plugin " + name() + ": " + e.getMessage(), e);
            }
        }
        scope();
        if (!n.internal()) {
            callTolerant(RemoteApi.REVOKE_EXTERNAL, RemoteApi.ids(n.id(), ep.id()), true);
        }
        callTolerant(RemoteApi.LEAVE, RemoteApi.ids(n.id(), ep.id()));
        callTolerant(RemoteApi.DELETE_ENDPOINT, RemoteApi.ids(n.id(), ep.id()));
    }

    /** A teardown call: a refusal saying the object is already gone is success (teardown repeats). */
    private void callTolerant(String method, JsonNode body) {
        callTolerant(method, body, false);
    }

    /** As {@link #callTolerant(String, JsonNode)}; an {@code optional} call may also be unimplemented. */
    private void callTolerant(String method, JsonNode body, boolean optional) {
        try {
            if (optional) {
                callOptional(method, body);
            } else {
                client.call(method, body);
            }
        } catch (WeftException e) {
            if (!(e.getCause() instanceof PluginClient.Refusal r && GONE.matcher(r.getMessage().toLowerCase(Locale.ROOT)).find())) {
                throw e;
            }
        }
    }

    /**
     * A call plugins need not implement (libnetwork's remote driver ignores a 404 for
     * ProgramExternalConnectivity and RevokeExternalConnectivity): a 404 is success.
     */
    private void callOptional(String method, JsonNode body) {
        try {
            client.call(method, body);
        } catch (WeftException e) {
            if (!(e.getCause() instanceof PluginClient.NotImplemented)) {
                throw e;
            }
        }
    }

    /**
     * A plugin of global scope hears of each live host once, as libnetwork tells it of the nodes
     * of a cluster: DiscoverNew with {@code Self} true for this host, DiscoverDelete when a host
     * leaves. A host whose notice fails is told again at the next change; a plugin that does not
     * implement the calls (404) is fine. A local-scope plugin hears nothing.
     */
    @Override
    public void hosts(Set<String> live, String self) {
        if (scope() != Scope.GLOBAL) {
            return;
        }
        synchronized (knownHosts) {
            for (String h : live) {
                if (!knownHosts.contains(h) && discover(RemoteApi.DISCOVER_NEW, h, self)) {
                    knownHosts.add(h);
                }
            }
            for (String h : List.copyOf(knownHosts)) {
                if (!live.contains(h) && discover(RemoteApi.DISCOVER_DELETE, h, self)) {
                    knownHosts.remove(h);
                }
            }
        }
    }

    private boolean discover(String method, String host, String self) {
        try {
            callOptional(method, RemoteApi.nodeDiscovery(host, host.equals(self)));
            return true;
        } catch (WeftException e) {
            LOG.log(System.Logger.Level.WARNING, "network plugin " + name() + ": " + method + " of host " + host
                    + " failed: " + e.getMessage());
            return false;
        }
    }

    /** The plugin keeps its own state, and joined interfaces live in sandboxes: nothing of weft's to remove. */
    @Override
    public void reconcile(List<NetworkState> networks, List<EndpointState> endpoints) {
    }

    @Override
    public void close() {
        host.close();
        if (ownsHostNs) {
            hostNs.close();
        }
    }
}
