package dev.weft.engine.state;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.store.KvEntry;
import dev.weft.store.Store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The engine's records in a Store, as JSON under one key layout:
 * <pre>
 *   networks/ID             NetworkState
 *   endpoints/NETWORK/ID    EndpointState
 *   sandboxes/ID            SandboxState
 * </pre>
 * Records are read from the store once, when the controller starts, and then served from memory;
 * every change is written through to the store before the memory is updated. This holds while
 * the controller is the only writer of these keys, which is true of the local store.
 */
public final class StateStore {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private final Store store;
    private final NavigableMap<String, NetworkState> networks = new ConcurrentSkipListMap<>();
    private final NavigableMap<String, EndpointState> endpoints = new ConcurrentSkipListMap<>();
    private final NavigableMap<String, SandboxState> sandboxes = new ConcurrentSkipListMap<>();

    public StateStore(Store store) {
        this.store = store;
        for (KvEntry e : store.list("networks/")) {
            networks.put(e.key(), read(e, NetworkState.class));
        }
        for (KvEntry e : store.list("endpoints/")) {
            endpoints.put(e.key(), read(e, EndpointState.class));
        }
        for (KvEntry e : store.list("sandboxes/")) {
            sandboxes.put(e.key(), read(e, SandboxState.class));
        }
    }

    public Store store() {
        return store;
    }

    public List<NetworkState> networks() {
        return List.copyOf(networks.values());
    }

    public Optional<NetworkState> network(String id) {
        return Optional.ofNullable(networks.get("networks/" + id));
    }

    public void put(NetworkState n) {
        write("networks/" + n.id(), n, networks);
    }

    public void deleteNetwork(String id) {
        delete("networks/" + id, networks);
    }

    public List<EndpointState> endpoints(String networkId) {
        String prefix = "endpoints/" + networkId + "/";
        return List.copyOf(endpoints.subMap(prefix, prefix + Character.MAX_VALUE).values());
    }

    public Optional<EndpointState> endpoint(String networkId, String id) {
        return Optional.ofNullable(endpoints.get("endpoints/" + networkId + "/" + id));
    }

    public List<EndpointState> endpoints() {
        return List.copyOf(endpoints.values());
    }

    /** The endpoints joined to a sandbox. */
    public List<EndpointState> joinedTo(String sandboxId) {
        List<EndpointState> out = new ArrayList<>();
        for (EndpointState e : endpoints.values()) {
            if (sandboxId.equals(e.sandboxId())) {
                out.add(e);
            }
        }
        return out;
    }

    public void put(EndpointState e) {
        write("endpoints/" + e.networkId() + "/" + e.id(), e, endpoints);
    }

    public void deleteEndpoint(EndpointState e) {
        delete("endpoints/" + e.networkId() + "/" + e.id(), endpoints);
    }

    public List<SandboxState> sandboxes() {
        return List.copyOf(sandboxes.values());
    }

    public Optional<SandboxState> sandbox(String id) {
        return Optional.ofNullable(sandboxes.get("sandboxes/" + id));
    }

    public void put(SandboxState s) {
        write("sandboxes/" + s.id(), s, sandboxes);
    }

    public void deleteSandbox(String id) {
        delete("sandboxes/" + id, sandboxes);
    }

    private <T> void write(String key, T value, Map<String, T> cache) {
        try {
            store.put(key, JSON.writeValueAsBytes(value));
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
        cache.put(key, value);
    }

    private <T> void delete(String key, Map<String, T> cache) {
        store.delete(key);
        cache.remove(key);
    }

    private static <T> T read(KvEntry e, Class<T> type) {
        try {
            return JSON.readValue(e.value(), type);
        } catch (IOException x) {
            throw new UncheckedIOException("corrupt record at store key " + e.key() + ": " + x.getMessage(), x);
        }
    }
}
