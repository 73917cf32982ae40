package dev.weft.daemon.plugin;

import dev.weft.engine.Controller;
import dev.weft.engine.IpamConfig;
import dev.weft.engine.Network;
import dev.weft.engine.NetworkConfig;
import dev.weft.engine.Scope;
import dev.weft.engine.WeftException;
import dev.weft.engine.ipam.DefaultIpam;
import dev.weft.engine.ipam.IpamException;
import dev.weft.engine.state.NetworkState;
import dev.weft.net.IpPrefix;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Local-scope Docker networks attached to weft's global overlays ({@code docker network create -d
 * weft --ipam-driver weft -o weft.overlay=NAME --subnet S NET} on each host): the first host's
 * CreateNetwork makes overlay NAME in weft's global store with Docker's subnet and gateway, the
 * others find it there and must ask for the same subnet; each records its attachment
 * ({@link OverlayAttachments}). Containers' addresses come from the overlay's pool of
 * {@link DockerIpam#GLOBAL_SPACE}, shared by all hosts. Removing one host's Docker network removes
 * its attachment only; the last attachment to go removes the overlay and its shared pool.
 */
final class SharedOverlays {
    /** The Docker network option naming the overlay. */
    static final String OPTION = "weft.overlay";
    private static final Logger LOG = LoggerFactory.getLogger(SharedOverlays.class);
    private static final long FIND_NANOS = 10_000_000_000L;
    private final Controller controller;
    private final OverlayAttachments attachments;
    private final DefaultIpam ipam;
    private final DockerNames names;

    /** {@code names}: the containers' names, forgotten with their overlay. */
    SharedOverlays(Controller controller, OverlayAttachments attachments, DockerNames names) {
        this.controller = controller;
        this.attachments = attachments;
        this.ipam = controller.ipam();
        this.names = names;
    }

    /** The overlay Docker network {@code dockerId} of this host is attached to, or null if it is not attached. */
    Network attached(String dockerId) {
        return attachments.find(dockerId).map(a -> overlay(a.overlay())).orElse(null);
    }

    /** Attaches Docker network {@code dockerId} to overlay {@code name}, making the overlay if no host has. */
    void attach(String dockerId, String name, List<IpamConfig> v4, List<IpamConfig> v6, boolean internal,
                Map<String, String> options) {
        if (v4.size() != 1) {
            throw PluginException.badRequest("-o " + OPTION + "=" + name + " takes one IPv4 subnet, not " + v4.size());
        }
        if (!v6.isEmpty()) { // Docker's local IPv6 pools would hand out the same addresses on every host
            throw PluginException.badRequest("-o " + OPTION + "=" + name + " networks are IPv4 only: leave out --ipv6");
        }
        IpamConfig want = v4.getFirst();
        Network n = overlay(name);
        if (n == null) {
            try {
                n = controller.newNetwork(new NetworkConfig(name, "overlay", v4, List.of(), false, internal, options,
                        Map.of(OPTION, "docker")));
                LOG.info("made overlay {} ({}) for Docker network {}", name, want.subnet(), dockerId);
            } catch (WeftException e) {
                if (e.kind() != WeftException.Kind.CONFLICT) {
                    throw e;
                }
                n = awaitOverlay(name, e); // another host made it at the same time
            }
        }
        sameSubnet(n, want);
        sharePool(want);
        attachments.attach(dockerId, name, want.subnet().toString());
    }

    /**
     * The IPv4 subnet for a Docker network of overlay {@code name} whose subnet is left to weft
     * ({@code --ipam-opt weft.overlay=NAME}, since Docker asks IPAM for the pool before it tells the
     * driver the network's options): the overlay's when a host made it, else a fresh pool of
     * {@link DockerIpam#GLOBAL_SPACE}, taken now so that no other network gets it.
     */
    IpPrefix subnetFor(String name) {
        Network n = overlay(name);
        if (n != null) {
            return IpPrefix.parse(ipv4(n).subnet());
        }
        return ipam.requestPool(DockerIpam.GLOBAL_SPACE, null, null, false).subnet();
    }

    /** Detaches Docker network {@code dockerId}, if attached; the last attachment removes the overlay. */
    boolean detach(String dockerId) {
        OverlayAttachments.Attachment a = attachments.find(dockerId).orElse(null);
        if (a == null) {
            return false;
        }
        attachments.detach(dockerId);
        if (!attachments.users(a.overlay()).isEmpty()) {
            return true;
        }
        Network n = overlay(a.overlay());
        if (n != null) {
            try {
                n.delete();
                LOG.info("removed overlay {}: its last Docker network is gone", a.overlay());
                names.forgetAll(a.overlay());
            } catch (WeftException e) {
                LOG.warn("overlay {} stays: {}", a.overlay(), e.getMessage());
                return true;
            }
        }
        releaseSharedPool(a.subnet());
        return true;
    }

    /**
     * After Docker released local pool {@code localPool}: releases the shared pool of its subnet
     * if no Docker network of any host is attached with that subnet (a network whose creation
     * failed after {@link #subnetFor} took a fresh pool for it).
     */
    void released(String localPool) {
        String subnet = DockerIpam.subnetOf(localPool);
        String pool = DockerIpam.globalPool(subnet);
        if (attachments.withSubnet(subnet) || ipam.pools(DockerIpam.GLOBAL_SPACE).stream().noneMatch(p -> p.id().equals(pool))) {
            return;
        }
        releaseSharedPool(subnet);
    }

    private void releaseSharedPool(String subnet) {
        String pool = DockerIpam.globalPool(subnet);
        try {
            ipam.holders(pool).keySet().forEach(addr -> ipam.releaseAddress(pool, addr)); // the gateway, and stale ones
            ipam.releasePool(pool);
        } catch (IpamException e) {
            LOG.warn("shared pool {} stays: {}", pool, e.getMessage());
        }
    }

    /** The global overlay called {@code name}, null if there is none; 409 if {@code name} is another kind of network. */
    private Network overlay(String name) {
        Network n;
        try {
            n = controller.network(name);
        } catch (WeftException e) {
            if (e.kind() == WeftException.Kind.NOT_FOUND) {
                return null;
            }
            throw e;
        }
        if (!n.name().equals(name)) {
            return null; // an id prefix matched
        }
        if (!n.driver().equals("overlay") || n.scope() != Scope.GLOBAL) {
            throw new PluginException(409, "network " + name + " is a " + n.scope().label() + " " + n.driver()
                    + " network, not a global overlay");
        }
        return n;
    }

    private Network awaitOverlay(String name, WeftException cause) {
        long deadline = System.nanoTime() + FIND_NANOS;
        while (System.nanoTime() < deadline) {
            Network n = overlay(name);
            if (n != null) {
                return n;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw cause;
    }

    /** Refuses (409) a Docker network whose subnet or gateway differs from the overlay's. */
    private static void sameSubnet(Network n, IpamConfig want) {
        NetworkState.SubnetState have = ipv4(n);
        InetAddress gw = IpPrefix.parse(have.gateway()).address();
        if (!IpPrefix.parse(have.subnet()).equals(want.subnet()) || want.gateway() != null && !gw.equals(want.gateway())) {
            throw new PluginException(409, "overlay " + n.name() + " has subnet " + have.subnet() + " and gateway "
                    + IpPrefix.format(gw) + ": create the Docker network with --subnet " + have.subnet() + " --gateway "
                    + IpPrefix.format(gw) + ", not " + want.subnet() + (want.gateway() == null ? ""
                    : " " + IpPrefix.format(want.gateway())));
        }
    }

    private static NetworkState.SubnetState ipv4(Network n) {
        return n.state().subnets().stream().filter(s -> IpPrefix.parse(s.subnet()).isIpv4()).findFirst().orElseThrow();
    }

    /** Makes the overlay's shared pool of Docker's global space, with its gateway taken, unless a host has. */
    private void sharePool(IpamConfig want) {
        String pool = DockerIpam.globalPool(want.subnet().toString());
        if (ipam.pools(DockerIpam.GLOBAL_SPACE).stream().noneMatch(p -> p.id().equals(pool))) {
            try {
                ipam.requestPool(DockerIpam.GLOBAL_SPACE, want.subnet(), null, false);
            } catch (IpamException e) {
                if (ipam.pools(DockerIpam.GLOBAL_SPACE).stream().noneMatch(p -> p.id().equals(pool))) {
                    throw e; // not another host making the same pool: an overlap
                }
            }
        }
        if (want.gateway() != null && !ipam.holders(pool).containsKey(want.gateway())) {
            try {
                ipam.requestAddress(pool, want.gateway(), "docker-gateway");
            } catch (IpamException e) {
                if (!Objects.equals("docker-gateway", ipam.holders(pool).get(want.gateway()))) {
                    throw e;
                }
            }
        }
    }
}
