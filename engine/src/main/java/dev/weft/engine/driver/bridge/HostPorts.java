package dev.weft.engine.driver.bridge;

import dev.weft.engine.PortBinding;
import dev.weft.engine.WeftException;
import dev.weft.linux.KernelException;
import dev.weft.linux.netns.Netns;
import dev.weft.linux.netns.PortReservation;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The host ports of published bindings, held by a socket each ({@link PortReservation}) for as long
 * as they are published, per endpoint: a port some host process already uses is refused before
 * anything is made, and no host process can take a published port later. A restarted weftd takes
 * the reservations of the bindings its records still publish again.
 */
final class HostPorts implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HostPorts.class.getName());
    private final Netns hostNs;
    private final Map<String, List<PortReservation>> held = new ConcurrentHashMap<>();

    HostPorts(Netns hostNs) {
        this.hostNs = hostNs;
    }

    /** Reserves every binding's host port for endpoint {@code endpointId}, all or none. */
    void reserve(String endpointId, String endpointName, List<BridgeFirewall.Published> published) {
        List<BridgeFirewall.Published> ports = mapped(published);
        if (ports.isEmpty()) {
            return;
        }
        release(endpointId); // a join repaired after a restart: its reservations are taken anew
        List<PortReservation> mine = new ArrayList<>();
        try {
            for (PortBinding b : bindings(ports)) {
                mine.add(reserve(b));
            }
        } catch (KernelException | UncheckedIOException e) {
            mine.forEach(PortReservation::close);
            String why = e instanceof KernelException.AlreadyExists ? "address already in use"
                    : e instanceof KernelException.NotFound ? "the host has no such address" : e.getMessage();
            WeftException.Kind kind = e instanceof KernelException.AlreadyExists ? WeftException.Kind.CONFLICT
                    : e instanceof KernelException.NotFound ? WeftException.Kind.INVALID_ARGUMENT : WeftException.Kind.UNAVAILABLE;
            throw new WeftException(kind, "cannot publish a port of " + endpointName + ": " + e.getMessage() + " (" + why + ")", e);
        }
        held.put(endpointId, mine);
    }

    /** After a restart: takes the endpoint's ports again; one another process took meanwhile is logged. */
    void reacquire(String endpointId, List<BridgeFirewall.Published> ports) {
        release(endpointId);
        List<PortReservation> mine = new ArrayList<>();
        for (PortBinding b : bindings(mapped(ports))) {
            try {
                mine.add(reserve(b));
            } catch (KernelException | UncheckedIOException e) {
                LOG.log(System.Logger.Level.WARNING, "published port not reserved again: " + e.getMessage());
            }
        }
        if (!mine.isEmpty()) {
            held.put(endpointId, mine);
        }
    }

    /** Only ports whose host port is used (not those of a routed network, opened on the container only). */
    private static List<BridgeFirewall.Published> mapped(List<BridgeFirewall.Published> ports) {
        return ports.stream().filter(BridgeFirewall.Published::mapped).toList();
    }

    /**
     * Each host binding once: a binding without a host address leads to both of a dual-stack
     * container's addresses, and one socket (IPv6 with IPv4 mapped) holds its port on both families.
     */
    private static List<PortBinding> bindings(List<BridgeFirewall.Published> ports) {
        return ports.stream().map(BridgeFirewall.Published::binding).distinct().toList();
    }

    private PortReservation reserve(PortBinding b) {
        return PortReservation.reserve(hostNs, b.protocol(), b.hostIp(), b.hostPort());
    }

    /** Releases the endpoint's ports (nothing when it holds none). */
    void release(String endpointId) {
        List<PortReservation> mine = held.remove(endpointId);
        if (mine != null) {
            mine.forEach(PortReservation::close);
        }
    }

    /** Releases every port (the driver closes; a next weftd takes them again). */
    @Override
    public void close() {
        List.copyOf(held.keySet()).forEach(this::release);
    }
}
