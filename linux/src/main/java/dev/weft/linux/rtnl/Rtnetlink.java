package dev.weft.linux.rtnl;

import dev.weft.linux.netlink.NetlinkSocket;
import dev.weft.linux.netlink.Nl;
import dev.weft.linux.netns.Netns;

/**
 * rtnetlink in one network namespace: links, addresses, routes, neighbours and FDB entries
 * through one socket bound there. Open once per namespace and keep it; it is thread-safe.
 */
public final class Rtnetlink implements AutoCloseable {
    private final NetlinkSocket socket;
    private final Links links;
    private final Addresses addresses;
    private final Routes routes;
    private final Neighbours neighbours;
    private final Fdb fdb;

    private Rtnetlink(NetlinkSocket socket) {
        this.socket = socket;
        this.links = new Links(socket);
        this.addresses = new Addresses(socket, links);
        this.routes = new Routes(socket);
        this.neighbours = new Neighbours(socket, links);
        this.fdb = new Fdb(socket, links);
    }

    /** rtnetlink in the calling thread's namespace (the host's, for any thread weft did not move). */
    public static Rtnetlink open() {
        return new Rtnetlink(NetlinkSocket.open(Nl.NETLINK_ROUTE, 0, null));
    }

    /** rtnetlink inside {@code ns}. */
    public static Rtnetlink open(Netns ns) {
        return new Rtnetlink(NetlinkSocket.open(Nl.NETLINK_ROUTE, ns));
    }

    public Links links() {
        return links;
    }

    public Addresses addresses() {
        return addresses;
    }

    public Routes routes() {
        return routes;
    }

    public Neighbours neighbours() {
        return neighbours;
    }

    public Fdb fdb() {
        return fdb;
    }

    @Override
    public void close() {
        socket.close();
    }
}
