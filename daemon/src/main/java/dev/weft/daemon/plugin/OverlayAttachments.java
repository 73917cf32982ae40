package dev.weft.daemon.plugin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.store.KvEntry;
import dev.weft.store.Store;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Which local-scope Docker networks are attached to which of weft's global overlays, kept in the
 * global store as {@code docker/attachments/DOCKER_NETWORK_ID}: every host's dockerd has its own id
 * for its own network, each attached by {@code docker network create -o weft.overlay=NAME}. An
 * overlay's users are its attachments on all hosts; the last one to go removes the overlay. A
 * restarted weftd reads them back (Docker never replays CreateNetwork).
 */
final class OverlayAttachments {
    private static final String PREFIX = "docker/attachments/";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Store store;
    private final String host;

    /** One Docker network's attachment: the overlay, the host whose dockerd made it, the IPv4 subnet. */
    record Attachment(String overlay, String host, String subnet) {
    }

    OverlayAttachments(Store global, String host) {
        this.store = global;
        this.host = host;
    }

    /** This host's address, as the other hosts know it. */
    String host() {
        return host;
    }

    void attach(String dockerNetwork, String overlay, String subnet) {
        try {
            store.put(PREFIX + dockerNetwork, JSON.writeValueAsBytes(new Attachment(overlay, host, subnet)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    Optional<Attachment> find(String dockerNetwork) {
        return store.get(PREFIX + dockerNetwork).map(OverlayAttachments::read);
    }

    void detach(String dockerNetwork) {
        store.delete(PREFIX + dockerNetwork);
    }

    /** The attachments to {@code overlay}, of every host. */
    List<Attachment> users(String overlay) {
        return all().stream().filter(a -> a.overlay().equals(overlay)).toList();
    }

    /** Whether a Docker network of this host with IPv4 subnet {@code subnet} is attached to an overlay. */
    boolean attachedHere(String subnet) {
        return all().stream().anyMatch(a -> a.host().equals(host) && a.subnet().equals(subnet));
    }

    /** Whether a Docker network of any host is attached with IPv4 subnet {@code subnet}. */
    boolean withSubnet(String subnet) {
        return all().stream().anyMatch(a -> a.subnet().equals(subnet));
    }

    /** The overlays this host's Docker networks are attached to. */
    List<String> overlaysHere() {
        return all().stream().filter(a -> a.host().equals(host)).map(Attachment::overlay).distinct().toList();
    }

    private List<Attachment> all() {
        return store.list(PREFIX).stream().map(OverlayAttachments::read).toList();
    }

    private static Attachment read(KvEntry e) {
        try {
            return JSON.readValue(e.value(), Attachment.class);
        } catch (java.io.IOException ex) {
            throw new IllegalStateException("unreadable attachment " + e.key() + ": " + new String(e.value(),
                    StandardCharsets.UTF_8), ex);
        }
    }
}
