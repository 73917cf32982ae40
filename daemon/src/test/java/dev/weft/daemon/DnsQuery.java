package dev.weft.daemon;

import dev.weft.linux.netns.Netns;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;

/** A DNS query sent to 127.0.0.11 from inside a sandbox, over UDP or TCP, for tests. */
final class DnsQuery {
    private DnsQuery() {
    }

    static Message query(String netns, String name, int type, boolean tcp) {
        try (Netns ns = Netns.open(Path.of(netns))) {
            return ns.call(() -> {
                Message q = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
                byte[] wire = q.toWire();
                InetSocketAddress server = new InetSocketAddress("127.0.0.11", 53);
                if (tcp) {
                    try (SocketChannel c = SocketChannel.open(server)) {
                        c.write(ByteBuffer.allocate(2 + wire.length).putShort((short) wire.length).put(wire).flip());
                        ByteBuffer len = ByteBuffer.allocate(2);
                        while (len.hasRemaining()) {
                            c.read(len);
                        }
                        ByteBuffer body = ByteBuffer.allocate(Short.toUnsignedInt(len.flip().getShort()));
                        while (body.hasRemaining()) {
                            c.read(body);
                        }
                        return new Message(body.array());
                    }
                }
                try (DatagramChannel c = DatagramChannel.open()) {
                    c.connect(server);
                    c.write(ByteBuffer.wrap(wire));
                    c.socket().setSoTimeout(5000);
                    ByteBuffer in = ByteBuffer.allocate(4096);
                    c.socket().getChannel().configureBlocking(true);
                    c.read(in);
                    return new Message(java.util.Arrays.copyOf(in.array(), in.position()));
                }
            });
        }
    }

    static List<String> answers(Message m) {
        return m.getSection(Section.ANSWER).stream().map(Record::rdataToString).toList();
    }
}
