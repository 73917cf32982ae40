package dev.weft.daemon.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.engine.Controller;
import dev.weft.engine.Network;
import dev.weft.engine.WeftException;
import dev.weft.engine.state.EndpointState;
import dev.weft.http.HttpReply;
import dev.weft.http.HttpRequest;
import dev.weft.http.UnixHttp;
import dev.weft.net.IpPrefix;
import dev.weft.store.KvEntry;
import dev.weft.store.Store;
import dev.weft.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The names of Docker's containers on overlays attached in local scope, for every host. Docker's
 * plugin protocol never tells a driver a container's name, and Docker's embedded DNS knows only its
 * own host's containers on a local network; so after each Join this host's weftd asks its own
 * dockerd ({@code GET /networks/ID} on its API socket) which container the endpoint belongs to and
 * records {@code docker/names/OVERLAY/ENDPOINT} = {name, address} in the global store, and
 * {@link #namesFor} answers a client on one of these overlays with the names of that overlay's
 * live endpoints on all hosts (served by weftd's DNS on {@code --docker-dns}, which dockerd's
 * {@code --dns} makes the upstream of its embedded DNS).
 */
final class DockerNames {
    private static final String PREFIX = "docker/names/";
    private static final Logger LOG = LoggerFactory.getLogger(DockerNames.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ATTEMPTS = 50;
    private static final long PAUSE_MILLIS = 200;
    private final Store store;
    private final Controller controller;
    private final OverlayAttachments attachments;
    private final Path dockerApi;

    /** One container's name and address on an overlay. */
    record Name(String name, String ipv4) {
    }

    DockerNames(Store global, Controller controller, OverlayAttachments attachments, Path dockerApi) {
        this.store = global;
        this.controller = controller;
        this.attachments = attachments;
        this.dockerApi = dockerApi;
    }

    /**
     * Learns, in the background, the name of the container that joined endpoint {@code endpoint}
     * (address {@code ipv4}) of Docker network {@code dockerNetwork}, attached to {@code overlay}:
     * dockerd lists the container on the network once the Join it waits for has returned.
     */
    void learn(String overlay, String dockerNetwork, String endpoint, String ipv4) {
        Thread.ofVirtual().name("docker-name-" + endpoint.substring(0, Math.min(12, endpoint.length()))).start(() -> {
            for (int i = 0; i < ATTEMPTS; i++) {
                try {
                    String name = containerName(dockerNetwork, endpoint);
                    if (name != null) {
                        store.put(key(overlay, endpoint), JSON.writeValueAsBytes(new Name(name, ipv4)));
                        LOG.debug("container {} is endpoint {} of overlay {}", name, endpoint, overlay);
                        if (!exists(overlay, endpoint)) {
                            forget(overlay, endpoint); // deleted while we asked: no record left behind
                        }
                        return;
                    }
                    Thread.sleep(PAUSE_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (IOException | StoreException e) {
                    LOG.warn("cannot learn the container name of endpoint {} from {}: {}", endpoint, dockerApi, e.getMessage());
                    return;
                }
            }
            LOG.warn("dockerd ({}) never listed a container with endpoint {} on network {}", dockerApi, endpoint, dockerNetwork);
        });
    }

    void forget(String overlay, String endpoint) {
        store.delete(key(overlay, endpoint));
    }

    /** Forgets every name of {@code overlay}, which is gone. */
    void forgetAll(String overlay) {
        store.list(PREFIX + overlay + "/").forEach(e -> store.delete(e.key()));
    }

    private boolean exists(String overlay, String endpoint) {
        try {
            return controller.network(overlay).endpoints().stream().anyMatch(e -> e.name().equals(endpoint));
        } catch (WeftException e) {
            return false;
        }
    }

    /**
     * The names a client at {@code client} resolves: for each overlay attached on this host that it
     * is an endpoint of, the names of the overlay's containers whose endpoints are there and on a
     * live host.
     */
    Map<String, List<InetAddress>> namesFor(InetAddress client) {
        Map<String, List<InetAddress>> out = new HashMap<>();
        for (String overlay : attachments.overlaysHere()) {
            Network n;
            try {
                n = controller.network(overlay);
            } catch (WeftException e) {
                continue;
            }
            Map<String, EndpointState> endpoints = n.endpoints().stream().map(e -> e.state())
                    .collect(Collectors.toMap(EndpointState::name, Function.identity(), (a, b) -> a));
            boolean asks = endpoints.values().stream()
                    .anyMatch(e -> e.ipv4() != null && IpPrefix.parse(e.ipv4()).address().equals(client));
            if (!asks) {
                continue;
            }
            for (KvEntry e : store.list(PREFIX + overlay + "/")) {
                String endpoint = e.key().substring(e.key().lastIndexOf('/') + 1);
                EndpointState ep = endpoints.get(endpoint);
                if (ep == null || !controller.reachable(ep)) {
                    continue; // gone, or on a host that is gone
                }
                Name name = read(e);
                if (name != null) {
                    out.computeIfAbsent(name.name().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                            .add(IpPrefix.parse(name.ipv4()).address()); // on two overlays: both addresses
                }
            }
        }
        return out;
    }

    /** The name of the container dockerd lists with {@code endpoint} on {@code dockerNetwork}, or null. */
    private String containerName(String dockerNetwork, String endpoint) throws IOException {
        HttpReply reply = UnixHttp.exchange(dockerApi, HttpRequest.encode("GET", "/networks/" + dockerNetwork, "docker",
                "application/json", null), Duration.ofSeconds(10));
        if (reply.status() != 200) {
            throw new IOException("GET /networks/" + dockerNetwork + ": " + reply.status() + " " + reply.text());
        }
        for (JsonNode c : JSON.readTree(reply.body()).path("Containers")) {
            if (endpoint.equals(c.path("EndpointID").asText()) && !c.path("Name").asText().isEmpty()) {
                return c.path("Name").asText();
            }
        }
        return null;
    }

    private static Name read(KvEntry e) {
        try {
            Name n = JSON.readValue(e.value(), Name.class);
            return n.name() == null || n.ipv4() == null ? null : n;
        } catch (IOException ex) {
            LOG.warn("unreadable name record {}: {}", e.key(), ex.getMessage());
            return null;
        }
    }

    private static String key(String overlay, String endpoint) {
        return PREFIX + overlay + "/" + endpoint;
    }
}
