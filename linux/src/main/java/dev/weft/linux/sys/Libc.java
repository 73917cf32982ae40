package dev.weft.linux.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The libc calls weft makes, bound once through the Foreign Function &amp; Memory API. Every call
 * captures errno and turns a failure into a {@link SysException} naming the call.
 */
public final class Libc {
    public static final int AF_NETLINK = 16;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int AF_INET = 2;
    public static final int AF_PACKET = 17;
    public static final int SOL_SOCKET = 1;
    public static final int SO_RCVBUF = 8;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVTIMEO = 20;
    public static final int MSG_PEEK = 2;
    public static final int MSG_TRUNC = 0x20;
    public static final int O_RDONLY = 0;
    public static final int O_CREAT = 0x40;
    public static final int O_EXCL = 0x80;
    public static final int O_CLOEXEC = 0x80000;
    public static final int CLONE_NEWNET = 0x40000000;
    public static final int CLONE_NEWNS = 0x00020000;
    public static final int CLONE_NEWUTS = 0x04000000;
    public static final long MS_BIND = 4096;
    public static final long MS_REC = 16384;
    public static final long MS_SHARED = 1 << 20;
    public static final long MS_SLAVE = 1 << 19;
    public static final int MNT_DETACH = 2;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> CALL_STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

    private static final Call SOCKET = errnoCall("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final Call BIND = errnoCall("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final Call GETSOCKNAME = errnoCall("getsockname", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final Call SETSOCKOPT =
            errnoCall("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final Call SEND = errnoCall("send", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final Call RECV = errnoCall("recv", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final Call CLOSE = errnoCall("close", JAVA_INT, JAVA_INT);
    private static final Call OPEN = new Call("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2), Linker.Option.captureCallState("errno"));
    private static final Call IOCTL = new Call("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            Linker.Option.firstVariadicArg(2), Linker.Option.captureCallState("errno"));
    private static final Call SENDTO =
            errnoCall("sendto", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    private static final Call SETNS = errnoCall("setns", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final Call UNSHARE = errnoCall("unshare", JAVA_INT, JAVA_INT);
    private static final Call MOUNT =
            errnoCall("mount", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
    private static final Call UMOUNT2 = errnoCall("umount2", JAVA_INT, ADDRESS, JAVA_INT);
    private static final Call GETTID = new Call("gettid", FunctionDescriptor.of(JAVA_INT));
    private static final Call GETEUID = new Call("geteuid", FunctionDescriptor.of(JAVA_INT));
    private static final Call STRERROR = new Call("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private Libc() {
    }

    private static Call errnoCall(String name, ValueLayout result, MemoryLayout... args) {
        return new Call(name, FunctionDescriptor.of(result, args), Linker.Option.captureCallState("errno"));
    }

    /**
     * A libc function bound at its first call. Binding one generates code for it, which no AOT
     * cache holds; bound all at once, they cost weftd about 90 ms before it could serve, most of
     * them for calls it makes later or never (docs/design.md, "weftd's start-up").
     */
    private static final class Call {
        private final String name;
        private final FunctionDescriptor descriptor;
        private final Linker.Option[] options;
        private volatile MethodHandle handle;

        Call(String name, FunctionDescriptor descriptor, Linker.Option... options) {
            this.name = name;
            this.descriptor = descriptor;
            this.options = options;
        }

        MethodHandle handle() {
            MethodHandle h = handle;
            if (h == null) { // two threads may both bind it: equal handles, either will do
                h = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow(name), descriptor, options);
                handle = h;
            }
            return h;
        }
    }

    private static MemorySegment state() {
        return CALL_STATE.get();
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static int check(int result, MemorySegment state, String call) {
        if (result < 0) {
            throw new SysException(call, errno(state));
        }
        return result;
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    public static int socket(int domain, int type, int protocol) {
        try {
            MemorySegment st = state();
            return check((int) SOCKET.handle().invokeExact(st, domain, type, protocol), st, "socket");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void bind(int fd, MemorySegment address) {
        try {
            MemorySegment st = state();
            check((int) BIND.handle().invokeExact(st, fd, address, (int) address.byteSize()), st, "bind");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Fills {@code address} with the socket's local address. */
    public static void getsockname(int fd, MemorySegment address, Arena arena) {
        try {
            MemorySegment st = state();
            MemorySegment len = arena.allocateFrom(JAVA_INT, (int) address.byteSize());
            check((int) GETSOCKNAME.handle().invokeExact(st, fd, address, len), st, "getsockname");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void setsockopt(int fd, int level, int option, MemorySegment value) {
        try {
            MemorySegment st = state();
            check((int) SETSOCKOPT.handle().invokeExact(st, fd, level, option, value, (int) value.byteSize()),
                    st, "setsockopt");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void setsockoptInt(int fd, int level, int option, int value) {
        try (Arena arena = Arena.ofConfined()) {
            setsockopt(fd, level, option, arena.allocateFrom(JAVA_INT, value));
        }
    }

    public static long send(int fd, MemorySegment buffer, long length) {
        try {
            MemorySegment st = state();
            long n = (long) SEND.handle().invokeExact(st, fd, buffer, length, 0);
            if (n < 0) {
                throw new SysException("send", errno(st));
            }
            return n;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long recv(int fd, MemorySegment buffer, long length, int flags) {
        try {
            MemorySegment st = state();
            long n = (long) RECV.handle().invokeExact(st, fd, buffer, length, flags);
            if (n < 0) {
                throw new SysException("recv", errno(st));
            }
            return n;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** ioctl(fd, request, arg) with a pointer argument (SIOCETHTOOL and friends). */
    public static int ioctl(int fd, long request, MemorySegment arg) {
        try {
            MemorySegment st = state();
            return check((int) IOCTL.handle().invokeExact(st, fd, request, arg), st, "ioctl");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** sendto(fd, buffer, length, 0, address, sizeof address). */
    public static long sendto(int fd, MemorySegment buffer, long length, MemorySegment address) {
        try {
            MemorySegment st = state();
            long n = (long) SENDTO.handle().invokeExact(st, fd, buffer, length, 0, address, (int) address.byteSize());
            if (n < 0) {
                throw new SysException("sendto", errno(st));
            }
            return n;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void close(int fd) {
        try {
            MemorySegment st = state();
            check((int) CLOSE.handle().invokeExact(st, fd), st, "close");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int open(String path, int flags, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = state();
            return check((int) OPEN.handle().invokeExact(st, arena.allocateFrom(path), flags, mode), st, "open " + path);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void setns(int fd, int nstype) {
        try {
            MemorySegment st = state();
            check((int) SETNS.handle().invokeExact(st, fd, nstype), st, "setns");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void unshare(int flags) {
        try {
            MemorySegment st = state();
            check((int) UNSHARE.handle().invokeExact(st, flags), st, "unshare");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void mount(String source, String target, String fsType, long flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = state();
            MemorySegment src = source == null ? MemorySegment.NULL : arena.allocateFrom(source);
            MemorySegment fs = fsType == null ? MemorySegment.NULL : arena.allocateFrom(fsType);
            check((int) MOUNT.handle().invokeExact(st, src, arena.allocateFrom(target), fs, flags, MemorySegment.NULL),
                    st, "mount " + target);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void umount2(String target, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = state();
            check((int) UMOUNT2.handle().invokeExact(st, arena.allocateFrom(target), flags), st, "umount " + target);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int gettid() {
        try {
            return (int) GETTID.handle().invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int geteuid() {
        try {
            return (int) GETEUID.handle().invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The C library's description of an errno value, for example "File exists". */
    public static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.handle().invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
