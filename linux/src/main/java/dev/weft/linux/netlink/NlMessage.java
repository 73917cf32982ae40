package dev.weft.linux.netlink;

import java.nio.ByteBuffer;

/** One received netlink message; {@code payload} starts after the 16-byte header. */
public record NlMessage(int type, int flags, int seq, int portId, ByteBuffer payload) {

    /** The family header (ifinfomsg and the like) of {@code length} bytes, at position 0. */
    public ByteBuffer header(int length) {
        return payload.slice(0, Math.min(length, payload.remaining())).order(payload.order());
    }

    /** The attributes after a family header of {@code headerLength} bytes. */
    public Attrs attrs(int headerLength) {
        int offset = Nl.align(headerLength);
        if (offset >= payload.remaining()) {
            return Attrs.parse(ByteBuffer.allocate(0));
        }
        return Attrs.parse(payload.slice(offset, payload.remaining() - offset).order(payload.order()));
    }
}
