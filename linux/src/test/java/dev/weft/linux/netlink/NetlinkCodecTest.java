package dev.weft.linux.netlink;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class NetlinkCodecTest {

    @Test
    void nestedAttributesArePaddedToFourBytesAndRoundTrip() {
        Attr tree = Attr.nested(18, Attr.string(1, "veth"), Attr.nested(2, Attr.u8(7, 1), Attr.u32(1, 42)));
        byte[] encoded = Attr.encodeAll(List.of(tree, Attr.u16(4, 1500)));
        // "veth\0" is 5 bytes: attribute of 9 padded to 12; u8 attribute of 5 padded to 8
        assertThat(tree.length()).isEqualTo(4 + 12 + (4 + 8 + 8));
        assertThat(encoded.length % 4).isZero();

        Attrs top = Attrs.parse(ByteBuffer.wrap(encoded).order(ByteOrder.nativeOrder()));
        assertThat(top.u16(4, -1)).isEqualTo(1500);
        Attrs info = top.nested(18);
        assertThat(info.string(1)).isEqualTo("veth");
        assertThat(info.nested(2).u8(7, -1)).isEqualTo(1);
        assertThat(info.nested(2).u32(1, -1)).isEqualTo(42);
        assertThat(info.nested(99).has(1)).isFalse();
    }

    @Test
    void requestHeaderCarriesLengthFlagsSequenceAndPort() {
        NlRequest r = new NlRequest(16, Nl.F_CREATE, new byte[16], List.of(Attr.string(3, "wv0")));
        ByteBuffer b = r.encode(7, 1234);
        assertThat(b.remaining()).isEqualTo(r.length()).isEqualTo(16 + 16 + 8);
        assertThat(b.getInt(0)).isEqualTo(r.length());
        assertThat(b.getShort(4)).isEqualTo((short) 16);
        assertThat(b.getShort(6)).isEqualTo((short) (Nl.F_CREATE | Nl.F_REQUEST));
        assertThat(b.getInt(8)).isEqualTo(7);
        assertThat(b.getInt(12)).isEqualTo(1234);
    }

    @Test
    void malformedAttributesEndTheParseWithoutReadingPastTheBuffer() {
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder());
        b.putShort((short) 8).putShort((short) 1).putInt(5); // a good u32
        b.putShort((short) 200).putShort((short) 2); // claims 200 bytes, only 4 remain
        b.flip();
        Attrs a = Attrs.parse(b);
        assertThat(a.u32(1, -1)).isEqualTo(5);
        assertThat(a.has(2)).isFalse();
        assertThat(Attrs.parse(ByteBuffer.wrap(new byte[3])).has(0)).isFalse();
    }

    @Test
    void shortValuesReadAsAbsent() {
        Attrs a = Attrs.parse(ByteBuffer.wrap(Attr.encodeAll(List.of(Attr.u8(1, 9)))).order(ByteOrder.nativeOrder()));
        assertThat(a.u32(1, -1)).isEqualTo(-1);
        assertThat(a.address(1)).isNull();
        assertThat(a.u8(1, -1)).isEqualTo(9);
    }

    @Test
    void networkByteOrderPort() {
        Attrs a = Attrs.parse(ByteBuffer.wrap(Attr.encodeAll(List.of(Attr.be16(15, 4789)))).order(ByteOrder.nativeOrder()));
        assertThat(a.be16(15, -1)).isEqualTo(4789);
        assertThat(a.bytes(15)).containsExactly(0x12, 0xb5);
    }
}
