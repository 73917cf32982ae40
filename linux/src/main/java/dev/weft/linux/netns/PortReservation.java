package dev.weft.linux.netns;

import dev.weft.linux.KernelException;
import dev.weft.linux.sys.Errno;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.util.Locale;

/**
 * A host port held for as long as it is published, as Docker holds it: a TCP socket bound and
 * listening (never accepting: the published port's DNAT rule takes the traffic first), or a bound
 * UDP socket, opened inside the host's namespace and without SO_REUSEADDR, so that a port already
 * in use is refused ("Address already in use") and no process can take it later. Closing it
 * releases the port.
 */
public final class PortReservation implements AutoCloseable {
    private final NetworkChannel channel;
    private final String description;

    private PortReservation(NetworkChannel channel, String description) {
        this.channel = channel;
        this.description = description;
    }

    /**
     * Reserves {@code port} ({@code protocol} "tcp" or "udp") on {@code address} (every address of
     * the namespace when null) inside {@code netns} (the process's own namespace when null). Throws
     * {@link KernelException.AlreadyExists} when the port is in use, {@link KernelException.NotFound}
     * when the address is not the namespace's.
     */
    public static PortReservation reserve(Netns netns, String protocol, InetAddress address, int port) {
        String proto = protocol.toLowerCase(Locale.ROOT);
        String where = (address == null ? "0.0.0.0" : (address instanceof Inet6Address ? "[" + address.getHostAddress() + "]"
                : address.getHostAddress())) + ":" + port + "/" + proto;
        if (netns == null) {
            return open(proto, address, port, where, null);
        }
        return netns.call(() -> open(proto, address, port, where, netns.name()));
    }

    private static PortReservation open(String proto, InetAddress address, int port, String where, String namespace) {
        InetSocketAddress at = address == null ? new InetSocketAddress(port) : new InetSocketAddress(address, port);
        NetworkChannel channel = null;
        try {
            if (proto.equals("udp")) {
                channel = address == null ? DatagramChannel.open() : DatagramChannel.open(family(address));
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, false);
                channel.bind(at);
            } else if (proto.equals("tcp")) {
                ServerSocketChannel server = address == null ? ServerSocketChannel.open() : ServerSocketChannel.open(family(address));
                channel = server;
                server.setOption(StandardSocketOptions.SO_REUSEADDR, false);
                server.bind(at, 1);
            } else {
                throw new IllegalArgumentException("protocol must be tcp or udp, not " + proto);
            }
            return new PortReservation(channel, where);
        } catch (BindException e) {
            close(channel);
            String m = String.valueOf(e.getMessage());
            int errno = m.contains("assign") ? Errno.EADDRNOTAVAIL : Errno.EADDRINUSE;
            throw KernelException.of(errno, "reserve host port", where, namespace, null, e);
        } catch (IOException e) {
            close(channel);
            throw new UncheckedIOException("cannot reserve host port " + where + ": " + e.getMessage(), e);
        }
    }

    private static StandardProtocolFamily family(InetAddress a) {
        return a instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    }

    private static void close(NetworkChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // it was not usable anyway
            }
        }
    }

    /** Releases the port. */
    @Override
    public void close() {
        close(channel);
    }

    @Override
    public String toString() {
        return description;
    }
}
