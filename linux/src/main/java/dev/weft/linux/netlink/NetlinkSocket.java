package dev.weft.linux.netlink;

import dev.weft.linux.KernelException;
import dev.weft.linux.KernelRequests;
import dev.weft.linux.netns.Netns;
import dev.weft.linux.sys.Errno;
import dev.weft.linux.sys.Libc;
import dev.weft.linux.sys.SysException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A netlink socket bound in one network namespace. Requests carry sequence numbers; replies are
 * matched on sequence number and port id; errors keep the kernel's extended-ack text; dumps that
 * the kernel marks as interrupted (the data changed underneath) are retried a bounded number of
 * times rather than returned torn. One request at a time per socket; safe to share between threads.
 */
public final class NetlinkSocket implements AutoCloseable {
    private static final int RX_SIZE = NetlinkBuffers.SIZE;
    private static final int DUMP_ATTEMPTS = 10;

    private final int fd;
    private final int portId;
    private final String namespace;
    private final ReentrantLock lock = new ReentrantLock();
    private int seq = (int) (System.nanoTime() & 0x3fffffff);
    private volatile boolean closed;

    private NetlinkSocket(int fd, int portId, String namespace) {
        this.fd = fd;
        this.portId = portId;
        this.namespace = namespace;
    }

    /**
     * Opens a socket in the calling thread's namespace. {@code namespace} only labels errors
     * (null for the host). {@code groups} is the legacy multicast group mask for subscriptions.
     */
    public static NetlinkSocket open(int protocol, int groups, String namespace) {
        int fd;
        try {
            fd = Libc.socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, protocol);
        } catch (SysException e) {
            throw KernelException.of(e.errno(), "open netlink socket", "protocol " + protocol, namespace, null, e);
        }
        try (Arena a = Arena.ofConfined()) {
            Libc.setsockoptInt(fd, Nl.SOL_NETLINK, Nl.NETLINK_EXT_ACK, 1);
            Libc.setsockoptInt(fd, Nl.SOL_NETLINK, Nl.NETLINK_CAP_ACK, 1);
            Libc.setsockoptInt(fd, Libc.SOL_SOCKET, Libc.SO_RCVBUF, 1 << 20);
            MemorySegment addr = a.allocate(12, 4);
            addr.set(ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_NETLINK);
            addr.set(ValueLayout.JAVA_INT, 8, groups);
            Libc.bind(fd, addr);
            Libc.getsockname(fd, addr, a);
            return new NetlinkSocket(fd, addr.get(ValueLayout.JAVA_INT, 4), namespace);
        } catch (SysException e) {
            Libc.close(fd);
            throw KernelException.of(e.errno(), "set up netlink socket", "protocol " + protocol, namespace, null, e);
        }
    }

    /** Opens a socket inside {@code ns}; it stays bound there whichever thread uses it. */
    public static NetlinkSocket open(int protocol, Netns ns) {
        return ns.call(() -> open(protocol, 0, ns.name()));
    }

    /** The namespace label used in error messages, or null for the host. */
    public String namespace() {
        return namespace;
    }

    /** Joins a multicast group (RTNLGRP_*) for event subscription. */
    public void joinGroup(int group) {
        try {
            Libc.setsockoptInt(fd, Nl.SOL_NETLINK, Nl.NETLINK_ADD_MEMBERSHIP, group);
        } catch (SysException e) {
            throw KernelException.of(e.errno(), "join netlink group", String.valueOf(group), namespace, null, e);
        }
    }

    /** Sends a request that changes something and waits for the kernel's acknowledgement. */
    public void execute(NlRequest request, String operation, String object) {
        transact(new NlRequest(request.type(), request.flags() | Nl.F_ACK, request.header(), request.attrs()),
                operation, object);
    }

    /** Sends a get request for one object and returns the kernel's reply messages. */
    public List<NlMessage> query(NlRequest request, String operation, String object) {
        return transact(new NlRequest(request.type(), request.flags() | Nl.F_ACK, request.header(), request.attrs()),
                operation, object);
    }

    /** Sends a dump request and returns every message of a consistent dump. */
    public List<NlMessage> dump(NlRequest request, String operation, String object) {
        NlRequest dump = new NlRequest(request.type(), request.flags() | Nl.F_DUMP, request.header(), request.attrs());
        for (int attempt = 1; ; attempt++) {
            lock.lock();
            MemorySegment buffer = NetlinkBuffers.take();
            try {
                int s = send(buffer, dump, operation, object);
                Reply reply = receive(buffer, s, operation, object);
                if (!reply.interrupted) {
                    return reply.messages;
                }
                if (attempt == DUMP_ATTEMPTS) {
                    throw KernelException.of(Errno.EINTR, operation, object, namespace,
                            "dump interrupted " + DUMP_ATTEMPTS + " times in a row (the kernel's data kept changing)");
                }
            } finally {
                NetlinkBuffers.give(buffer);
                lock.unlock();
            }
        }
    }

    private List<NlMessage> transact(NlRequest request, String operation, String object) {
        lock.lock();
        MemorySegment buffer = NetlinkBuffers.take();
        try {
            int s = send(buffer, request, operation, object);
            return receive(buffer, s, operation, object).messages;
        } finally {
            NetlinkBuffers.give(buffer);
            lock.unlock();
        }
    }

    /** Sends the request from {@code buffer} (the one its reply will be received into). */
    private int send(MemorySegment buffer, NlRequest request, String operation, String object) {
        checkOpen();
        int s = ++seq;
        ByteBuffer msg = request.encode(s, portId);
        if (msg.remaining() > buffer.byteSize()) {
            throw KernelException.of(Errno.ENOBUFS, operation, object, namespace,
                    "netlink request of " + msg.remaining() + " bytes exceeds the send buffer");
        }
        MemorySegment.copy(MemorySegment.ofBuffer(msg), 0, buffer, 0, msg.remaining());
        try {
            KernelRequests.countNetlink();
            Libc.send(fd, buffer, msg.remaining());
        } catch (SysException e) {
            throw KernelException.of(e.errno(), operation, object, namespace, "sending the request failed", e);
        }
        return s;
    }

    private record Reply(List<NlMessage> messages, boolean interrupted) {
    }

    private Reply receive(MemorySegment rx, int s, String operation, String object) {
        List<NlMessage> messages = new ArrayList<>();
        boolean interrupted = false;
        while (true) {
            ByteBuffer data = recvDatagram(rx, operation, object);
            if (data == null) {
                continue;
            }
            while (data.remaining() >= Nl.HEADER_LEN) {
                int start = data.position();
                int len = data.getInt(start);
                if (len < Nl.HEADER_LEN || len > data.remaining()) {
                    throw KernelException.of(Errno.EIO, operation, object, namespace, "malformed netlink reply");
                }
                int type = Short.toUnsignedInt(data.getShort(start + 4));
                int flags = Short.toUnsignedInt(data.getShort(start + 6));
                int mseq = data.getInt(start + 8);
                int mport = data.getInt(start + 12);
                ByteBuffer payload = copy(data.slice(start + Nl.HEADER_LEN, len - Nl.HEADER_LEN));
                data.position(Math.min(data.limit(), start + Nl.align(len)));
                if (mseq != s || mport != portId) {
                    continue; // a late reply to an earlier request, or a message not meant for us
                }
                if ((flags & Nl.F_DUMP_INTR) != 0) {
                    interrupted = true;
                }
                if (type == Nl.NLMSG_ERROR) {
                    throwIfError(payload, flags, operation, object);
                    return new Reply(messages, interrupted);
                }
                if (type == Nl.NLMSG_DONE) {
                    if (payload.remaining() >= 4 && payload.getInt(0) < 0) {
                        throwIfError(payload, flags, operation, object);
                    }
                    return new Reply(messages, interrupted);
                }
                if (type != Nl.NLMSG_NOOP) {
                    messages.add(new NlMessage(type, flags, mseq, mport, payload));
                }
            }
        }
    }

    private void throwIfError(ByteBuffer payload, int flags, String operation, String object) {
        int error = payload.remaining() >= 4 ? -payload.getInt(0) : Errno.EIO;
        if (error == 0) {
            return;
        }
        String kernelMessage = null;
        if ((flags & Nl.F_ACK_TLVS) != 0 && payload.remaining() >= 4 + Nl.HEADER_LEN) {
            int echoed = (flags & Nl.F_CAPPED) != 0 ? Nl.HEADER_LEN : Nl.align(payload.getInt(4));
            int offset = 4 + echoed;
            if (offset < payload.remaining()) {
                kernelMessage = Attrs.parse(payload.slice(offset, payload.remaining() - offset))
                        .string(Nl.NLMSGERR_ATTR_MSG);
            }
        }
        throw KernelException.of(error, operation, object, namespace, kernelMessage);
    }

    /** Reads one datagram; null if the receive was interrupted. */
    private ByteBuffer recvDatagram(MemorySegment rx, String operation, String object) {
        checkOpen();
        long n;
        try {
            n = Libc.recv(fd, rx, RX_SIZE, Libc.MSG_TRUNC);
        } catch (SysException e) {
            if (e.errno() == Errno.EINTR) {
                return null;
            }
            throw KernelException.of(e.errno(), operation, object, namespace, "receiving the reply failed", e);
        }
        if (n > RX_SIZE) {
            throw KernelException.of(Errno.ENOBUFS, operation, object, namespace,
                    "netlink message of " + n + " bytes exceeds the receive buffer");
        }
        return rx.asSlice(0, n).asByteBuffer().order(ByteOrder.nativeOrder());
    }

    /**
     * Waits up to {@code timeoutMillis} for multicast messages and returns them (empty on time-out).
     * Throws a KernelException with ENOBUFS when the kernel dropped events: the subscriber must
     * then list the current state again.
     */
    public List<NlMessage> receiveEvents(int timeoutMillis) {
        lock.lock();
        MemorySegment rx = NetlinkBuffers.take();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment tv = a.allocate(16, 8);
            tv.set(ValueLayout.JAVA_LONG, 0, timeoutMillis / 1000);
            tv.set(ValueLayout.JAVA_LONG, 8, (timeoutMillis % 1000) * 1000L);
            Libc.setsockopt(fd, Libc.SOL_SOCKET, Libc.SO_RCVTIMEO, tv);
            ByteBuffer data;
            try {
                long n = Libc.recv(fd, rx, RX_SIZE, Libc.MSG_TRUNC);
                data = rx.asSlice(0, Math.min(n, RX_SIZE)).asByteBuffer().order(ByteOrder.nativeOrder());
            } catch (SysException e) {
                if (e.errno() == Errno.EAGAIN || e.errno() == Errno.EINTR) {
                    return List.of();
                }
                throw KernelException.of(e.errno(), "receive events", "", namespace, null, e);
            }
            List<NlMessage> out = new ArrayList<>();
            while (data.remaining() >= Nl.HEADER_LEN) {
                int start = data.position();
                int len = data.getInt(start);
                if (len < Nl.HEADER_LEN || len > data.remaining()) {
                    break;
                }
                out.add(new NlMessage(Short.toUnsignedInt(data.getShort(start + 4)),
                        Short.toUnsignedInt(data.getShort(start + 6)), data.getInt(start + 8), data.getInt(start + 12),
                        copy(data.slice(start + Nl.HEADER_LEN, len - Nl.HEADER_LEN))));
                data.position(Math.min(data.limit(), start + Nl.align(len)));
            }
            return out;
        } finally {
            NetlinkBuffers.give(rx);
            lock.unlock();
        }
    }

    private static ByteBuffer copy(ByteBuffer b) {
        ByteBuffer c = ByteBuffer.allocate(b.remaining()).order(ByteOrder.nativeOrder());
        c.put(b).flip();
        return c;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("netlink socket is closed");
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                Libc.close(fd);
            }
        } finally {
            lock.unlock();
        }
    }
}
