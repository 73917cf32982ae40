package dev.weft.linux.doctor;

import dev.weft.linux.KernelException;
import dev.weft.linux.netlink.Attr;
import dev.weft.linux.netlink.NetlinkSocket;
import dev.weft.linux.netlink.Nl;
import dev.weft.linux.netlink.NlRequest;
import dev.weft.linux.sys.Errno;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Whether the kernel can do ESP, which an encrypted overlay needs: XFRM netlink alone is not
 * enough (a kernel built without {@code CONFIG_INET_ESP} has the one and not the other). Probed
 * for real, as the kernel would be used: an ESP security association (null cipher, documentation
 * addresses) is added in the probe's private namespace, which disappears with it.
 */
final class EspProbe {
    static final int NETLINK_XFRM = 6;
    private static final int XFRM_MSG_NEWSA = 0x10;
    private static final int XFRMA_ALG_CRYPT = 2;
    private static final int IPPROTO_ESP = 50;
    private static final int AF_INET = 2;
    /** sizeof(struct xfrm_usersa_info) on 64-bit Linux. */
    private static final int USERSA_INFO_LEN = 224;

    private EspProbe() {
    }

    /** Runs in the probe namespace. */
    static Check run() {
        try (NetlinkSocket xfrm = NetlinkSocket.open(NETLINK_XFRM, 0, null)) {
            try {
                xfrm.execute(new NlRequest(XFRM_MSG_NEWSA, Nl.F_REQUEST | Nl.F_CREATE | Nl.F_EXCL, usersaInfo(),
                        List.of(Attr.bytes(XFRMA_ALG_CRYPT, nullCipher()))), "add ESP security association", "probe");
                return new Check("esp", false, true, "the kernel adds ESP security associations: encrypted overlays possible");
            } catch (KernelException e) {
                String why = e.errno() == Errno.EPROTONOSUPPORT
                        ? "XFRM netlink is there but the kernel has no ESP (esp4 is neither built in nor loadable)"
                        : "adding an ESP security association failed: " + e.getMessage();
                return new Check("esp", false, false, why + "; encrypted overlays unavailable");
            }
        } catch (KernelException e) {
            return new Check("esp", false, false, "no XFRM netlink, so no ESP; encrypted overlays unavailable: " + e.getMessage());
        }
    }

    /** struct xfrm_usersa_info: 192.0.2.1 -> 192.0.2.2, SPI 0x100, ESP, transport mode, no limits. */
    private static byte[] usersaInfo() {
        ByteBuffer b = ByteBuffer.allocate(USERSA_INFO_LEN).order(ByteOrder.nativeOrder());
        b.putShort(40, (short) AF_INET); // sel.family
        b.put(56, (byte) 192).put(57, (byte) 0).put(58, (byte) 2).put(59, (byte) 2); // id.daddr
        b.order(ByteOrder.BIG_ENDIAN).putInt(72, 0x100).order(ByteOrder.nativeOrder()); // id.spi
        b.put(76, (byte) IPPROTO_ESP); // id.proto
        b.put(80, (byte) 192).put(81, (byte) 0).put(82, (byte) 2).put(83, (byte) 1); // saddr
        for (int i = 0; i < 4; i++) {
            b.putLong(96 + 8 * i, -1L); // lft: soft and hard byte and packet limits, XFRM_INF
        }
        b.putShort(212, (short) AF_INET); // family
        return b.array();
    }

    /** struct xfrm_algo for "ecb(cipher_null)" with a key of 0 bits. */
    private static byte[] nullCipher() {
        ByteBuffer b = ByteBuffer.allocate(68).order(ByteOrder.nativeOrder());
        b.put("ecb(cipher_null)".getBytes(StandardCharsets.US_ASCII));
        b.putInt(64, 0);
        return b.array();
    }
}
