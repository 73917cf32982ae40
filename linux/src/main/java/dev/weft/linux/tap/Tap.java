package dev.weft.linux.tap;

import dev.weft.linux.KernelException;
import dev.weft.linux.netns.Netns;
import dev.weft.linux.sys.Libc;
import dev.weft.linux.sys.SysException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * Persistent TAP devices, made through {@code /dev/net/tun} (TUNSETIFF, then TUNSETPERSIST): the device
 * outlives the descriptor that made it, and a process that later opens a TAP of the same name attaches
 * to it, addresses and routes included. Open vSwitch's userspace datapath makes a bridge's internal port
 * this way; a device made persistent before it does survives ovs-vswitchd being killed. Delete it like
 * any link (rtnetlink).
 */
public final class Tap {
    static final long TUNSETIFF = 0x400454caL;
    static final long TUNSETPERSIST = 0x400454cbL;
    static final short IFF_TAP = 0x0002;
    static final short IFF_NO_PI = 0x1000;
    private static final int O_RDWR = 2;
    private static final int IFNAMSIZ = 16;
    private static final int IFREQ_SIZE = 40;

    private Tap() {
    }

    /**
     * Creates persistent TAP {@code name} in {@code netns} (null: this process's namespace), down and
     * without addresses. An existing persistent TAP of that name is kept as it is; one held open by a
     * process is {@link KernelException.Busy}.
     */
    public static void createPersistent(Netns netns, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length == 0 || bytes.length >= IFNAMSIZ) {
            throw new IllegalArgumentException("bad interface name \"" + name + "\"");
        }
        Netns.callIn(netns, () -> {
            create(netns, name, bytes);
            return null;
        });
    }

    private static void create(Netns netns, String name, byte[] bytes) {
        String where = netns == null ? null : netns.name();
        int fd;
        try {
            fd = Libc.open("/dev/net/tun", O_RDWR | Libc.O_CLOEXEC, 0);
        } catch (SysException e) {
            throw KernelException.of(e.errno(), "open /dev/net/tun (is the tun module there?) for TAP", name, where, null, e);
        }
        String step = "create TAP";
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifr = arena.allocate(IFREQ_SIZE, 8);
            MemorySegment.copy(bytes, 0, ifr, ValueLayout.JAVA_BYTE, 0, bytes.length);
            ifr.set(ValueLayout.JAVA_SHORT, IFNAMSIZ, (short) (IFF_TAP | IFF_NO_PI));
            Libc.ioctl(fd, TUNSETIFF, ifr);
            step = "make TAP persistent";
            Libc.ioctl(fd, TUNSETPERSIST, MemorySegment.ofAddress(1));
        } catch (SysException e) {
            throw KernelException.of(e.errno(), step, name, where, null, e);
        } finally {
            Libc.close(fd);
        }
    }

}
