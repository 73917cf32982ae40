package dev.weft.linux.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * A request to send: message type, flags, the family header (ifinfomsg, ifaddrmsg, ...) and
 * the attributes. The socket adds the request flag, sequence number and port id.
 */
public record NlRequest(int type, int flags, byte[] header, List<Attr> attrs) {
    public NlRequest {
        header = header.clone();
        attrs = List.copyOf(attrs);
    }

    public int length() {
        int n = Nl.HEADER_LEN + Nl.align(header.length);
        for (Attr a : attrs) {
            n += Nl.align(a.length());
        }
        return n;
    }

    /** Encodes the whole message in native byte order. */
    public ByteBuffer encode(int seq, int portId) {
        int length = length();
        ByteBuffer out = ByteBuffer.allocate(length).order(ByteOrder.nativeOrder());
        out.putInt(length).putShort((short) type).putShort((short) (flags | Nl.F_REQUEST)).putInt(seq).putInt(portId);
        out.put(header);
        Attr.pad(out, Nl.HEADER_LEN + Nl.align(header.length));
        for (Attr a : attrs) {
            a.encode(out);
        }
        return out.flip();
    }
}
