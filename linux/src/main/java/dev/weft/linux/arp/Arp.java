package dev.weft.linux.arp;

import dev.weft.linux.KernelException;
import dev.weft.linux.netns.Netns;
import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.linux.sys.Libc;
import dev.weft.linux.sys.SysException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.nio.ByteBuffer;

/**
 * Gratuitous ARP: announces that an IPv4 address now lives at an interface's MAC, so neighbours
 * that cached the old MAC (after the address moved to another interface) update at once instead
 * of waiting for their entries to expire. Sent as an ARP request for the address itself (sender =
 * target = the address) over an AF_PACKET socket opened inside the interface's namespace.
 */
public final class Arp {
    private static final int ETH_P_ARP = 0x0806;
    private static final int SOCKADDR_LL_SIZE = 20;

    private Arp() {
    }

    /** Sends {@code count} gratuitous ARP requests for {@code address} out of {@code link} in {@code netns} (null: here). */
    public static void announce(Netns netns, String link, Inet4Address address, int count) {
        java.util.concurrent.Callable<Void> task = () -> {
            send(netns, link, address, count);
            return null;
        };
        try {
            if (netns == null) {
                task.call();
            } else {
                netns.call(task);
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void send(Netns netns, String link, Inet4Address address, int count) {
        Link l;
        try (Rtnetlink nl = Rtnetlink.open()) {
            l = nl.links().get(link);
        }
        byte[] packet = packet(l.mac().bytes(), address.getAddress());
        int fd;
        try {
            fd = Libc.socket(Libc.AF_PACKET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, Short.reverseBytes((short) ETH_P_ARP) & 0xffff);
        } catch (SysException e) {
            throw KernelException.of(e.errno(), "open a packet socket to announce " + address.getHostAddress(), link,
                    netns == null ? null : netns.name(), null, e);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment to = arena.allocate(SOCKADDR_LL_SIZE, 4);
            to.set(ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_PACKET);
            to.set(ValueLayout.JAVA_SHORT, 2, Short.reverseBytes((short) ETH_P_ARP));
            to.set(ValueLayout.JAVA_INT, 4, l.index());
            to.set(ValueLayout.JAVA_BYTE, 11, (byte) 6);
            for (int i = 0; i < 6; i++) {
                to.set(ValueLayout.JAVA_BYTE, 12 + i, (byte) 0xff);
            }
            MemorySegment buf = arena.allocateFrom(ValueLayout.JAVA_BYTE, packet);
            for (int i = 0; i < count; i++) {
                Libc.sendto(fd, buf, packet.length, to);
            }
        } catch (SysException e) {
            throw KernelException.of(e.errno(), "send a gratuitous ARP for " + address.getHostAddress(), link,
                    netns == null ? null : netns.name(), null, e);
        } finally {
            Libc.close(fd);
        }
    }

    /** The 28-byte ARP request: Ethernet/IPv4, sender and target both the announced address. */
    static byte[] packet(byte[] mac, byte[] ip) {
        ByteBuffer b = ByteBuffer.allocate(28);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1);
        b.put(mac).put(ip).put(new byte[6]).put(ip);
        return b.array();
    }
}
