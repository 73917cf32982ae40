package dev.weft.engine.state;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.store.KvEntry;
import dev.weft.store.Store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

/**
 * The engine's records in a Store, as JSON under one key layout:
 * <pre>
 *   networks/ID             NetworkState
 *   endpoints/NETWORK/ID    EndpointState
 *   sandboxes/ID            SandboxState
 * </pre>
 */
public final class StateStore {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private final Store store;

    public StateStore(Store store) {
        this.store = store;
    }

    public Store store() {
        return store;
    }

    public List<NetworkState> networks() {
        return store.list("networks/").stream().map(e -> read(e, NetworkState.class)).toList();
    }

    public Optional<NetworkState> network(String id) {
        return store.get("networks/" + id).map(e -> read(e, NetworkState.class));
    }

    public void put(NetworkState n) {
        store.put("networks/" + n.id(), write(n));
    }

    public void deleteNetwork(String id) {
        store.delete("networks/" + id);
    }

    public List<EndpointState> endpoints(String networkId) {
        return store.list("endpoints/" + networkId + "/").stream().map(e -> read(e, EndpointState.class)).toList();
    }

    public List<EndpointState> endpoints() {
        return store.list("endpoints/").stream().map(e -> read(e, EndpointState.class)).toList();
    }

    public void put(EndpointState e) {
        store.put("endpoints/" + e.networkId() + "/" + e.id(), write(e));
    }

    public void deleteEndpoint(EndpointState e) {
        store.delete("endpoints/" + e.networkId() + "/" + e.id());
    }

    public List<SandboxState> sandboxes() {
        return store.list("sandboxes/").stream().map(e -> read(e, SandboxState.class)).toList();
    }

    public Optional<SandboxState> sandbox(String id) {
        return store.get("sandboxes/" + id).map(e -> read(e, SandboxState.class));
    }

    public void put(SandboxState s) {
        store.put("sandboxes/" + s.id(), write(s));
    }

    public void deleteSandbox(String id) {
        store.delete("sandboxes/" + id);
    }

    private static <T> T read(KvEntry e, Class<T> type) {
        try {
            return JSON.readValue(e.value(), type);
        } catch (IOException x) {
            throw new UncheckedIOException("corrupt record at store key " + e.key() + ": " + x.getMessage(), x);
        }
    }

    private static byte[] write(Object o) {
        try {
            return JSON.writeValueAsBytes(o);
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }
}
