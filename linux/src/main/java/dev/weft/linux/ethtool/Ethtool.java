package dev.weft.linux.ethtool;

import dev.weft.linux.KernelException;
import dev.weft.linux.netns.Netns;
import dev.weft.linux.sys.Libc;
import dev.weft.linux.sys.SysException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * The few ethtool settings weft needs, through the SIOCETHTOOL ioctl on a datagram socket opened
 * inside the interface's namespace (no {@code ethtool} process). Today: TX checksum offload, which
 * must be off on a veth whose other end is read by Open vSwitch's userspace datapath, because that
 * datapath never fills in checksums the kernel left to "hardware" (ping works, UDP and TCP do not).
 */
public final class Ethtool {
    static final long SIOCETHTOOL = 0x8946;
    static final int ETHTOOL_GTXCSUM = 0x16;
    static final int ETHTOOL_STXCSUM = 0x17;
    private static final int IFNAMSIZ = 16;
    private static final int IFREQ_SIZE = 40;

    private Ethtool() {
    }

    /** Turns TX checksum offload on or off on {@code link} in {@code netns} (null: this process's namespace). */
    public static void setTxChecksum(Netns netns, String link, boolean on) {
        Netns.callIn(netns, () -> {
            value(netns, link, ETHTOOL_STXCSUM, on ? 1 : 0, "turn TX checksum offload " + (on ? "on" : "off"));
            return null;
        });
    }

    /** Whether TX checksum offload is on. */
    public static boolean txChecksum(Netns netns, String link) {
        return Netns.callIn(netns, () -> value(netns, link, ETHTOOL_GTXCSUM, 0, "read TX checksum offload") != 0);
    }


    /** One ethtool_value command: {u32 cmd; u32 data}; returns data as the kernel left it. */
    private static int value(Netns netns, String link, int cmd, int data, String what) {
        byte[] name = link.getBytes(StandardCharsets.US_ASCII);
        if (name.length == 0 || name.length >= IFNAMSIZ) {
            throw new IllegalArgumentException("bad interface name \"" + link + "\"");
        }
        int fd = Libc.socket(Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ev = arena.allocate(8, 4);
            ev.set(ValueLayout.JAVA_INT, 0, cmd);
            ev.set(ValueLayout.JAVA_INT, 4, data);
            MemorySegment ifr = arena.allocate(IFREQ_SIZE, 8);
            MemorySegment.copy(name, 0, ifr, ValueLayout.JAVA_BYTE, 0, name.length);
            ifr.set(ValueLayout.ADDRESS, IFNAMSIZ, ev);
            Libc.ioctl(fd, SIOCETHTOOL, ifr);
            return ev.get(ValueLayout.JAVA_INT, 4);
        } catch (SysException e) {
            throw KernelException.of(e.errno(), what, link, netns == null ? null : netns.name(), null, e);
        } finally {
            Libc.close(fd);
        }
    }
}
