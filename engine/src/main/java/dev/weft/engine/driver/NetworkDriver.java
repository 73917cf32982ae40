package dev.weft.engine.driver;

import dev.weft.engine.NetworkConfig;
import dev.weft.engine.Scope;
import dev.weft.engine.state.EndpointState;
import dev.weft.engine.state.NetworkState;

import java.util.List;
import java.util.Map;

/**
 * A network driver: validate, set up, tear down, picked by name (as netavark's drivers). Every
 * method that changes the kernel is idempotent: set-up ensures the state exists, teardown treats
 * "not found" as done, so the controller can repeat them after a crash.
 */
public interface NetworkDriver {
    String name();

    Scope scope();

    /** Whether networks of this driver get subnets and endpoints get addresses (not null/host). */
    boolean allocatesAddresses();

    /** Whether endpoints of this driver can publish ports on the host. */
    default boolean publishesPorts() {
        return false;
    }

    /**
     * Whether the network's published ports take host ports, which no two endpoints may share
     * (a routed bridge network opens them on the container's own address instead).
     */
    default boolean usesHostPorts(NetworkState network) {
        return publishesPorts();
    }

    /** Checks the driver options of {@code config}; throws WeftException INVALID_ARGUMENT. */
    void validate(NetworkConfig config);

    /**
     * The host objects an existing network of {@code config} would use without weft owning them (a
     * user-managed bridge: {@code bridge.created=user} and the addresses it had), recorded with the
     * network before anything is made; refuses (WeftException) an option that names a host object
     * weft must not use. Called after {@link #validate}, with the controller's lock held.
     */
    default Map<String, String> hostObjects(NetworkConfig config) {
        return Map.of();
    }

    /** Ensures the network's kernel objects exist (a bridge, nftables rules, ...). */
    void createNetwork(NetworkState network);

    /** Removes the network's kernel objects; what is already gone is skipped. */
    void deleteNetwork(NetworkState network);

    /**
     * Plumbs {@code endpoint} into the sandbox: creates its interface there, named {@code ifname},
     * with its addresses and MAC, up. Returns the name of the host side of the link, or null when
     * there is none. (The controller sets the sandbox's default route.)
     */
    String join(NetworkState network, EndpointState endpoint, SandboxPort sandbox, String ifname);

    /**
     * Whether {@link #join} takes hand-off ports ({@link SandboxPort#handOff}): the endpoint's
     * interface left in the host namespace for another runtime to move into its container.
     */
    default boolean handsOff() {
        return false;
    }

    /**
     * Whether what {@link #join} made for a joined endpoint is still there. After a crash the
     * controller re-joins an endpoint whose plumbing vanished.
     */
    default boolean plumbed(NetworkState network, EndpointState endpoint, SandboxPort sandbox) {
        return true;
    }

    /** Removes what {@link #join} made; what is already gone is skipped. */
    void leave(NetworkState network, EndpointState endpoint, SandboxPort sandbox);

    /**
     * After a restart: repairs what the records say should exist and removes kernel objects this
     * driver made that no record mentions. {@code networks} and {@code endpoints} are this
     * driver's only.
     */
    void reconcile(List<NetworkState> networks, List<EndpointState> endpoints);

    /**
     * For networks shared through the global store: the endpoints joined on the other live hosts,
     * all of them, each time that set may have changed. The driver makes them reachable from this
     * host's endpoints (the overlay programs forwarding and neighbour entries) and forgets those
     * no longer in the list. Called with the controller's lock held, never concurrently.
     */
    default void remoteEndpoints(NetworkState network, List<EndpointState> remote) {
    }

    /**
     * For drivers of networks shared through the global store: the live hosts (their advertise
     * addresses, this one's {@code self} among them), each time that set may have changed, so a
     * driver that wants to can follow them (a remote plugin gets libnetwork's DiscoverNew and
     * DiscoverDelete). Called without the controller's lock, never concurrently.
     */
    default void hosts(java.util.Set<String> live, String self) {
    }

    /**
     * Checks the firewall rules this driver installed (its nftables tables, chains, rules and map
     * elements) and, if someone else removed any of them (an {@code nft flush ruleset}, a deleted
     * table), installs them again from its records. Idempotent: when everything is in place it
     * changes nothing. Returns what it found missing, empty when nothing was. Called with the
     * controller's lock held.
     */
    default List<String> restoreFirewall() {
        return List.of();
    }

    /** Releases what the driver holds open (netlink sockets); kernel state stays. */
    default void close() {
    }
}
