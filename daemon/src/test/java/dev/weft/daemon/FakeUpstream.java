package dev.weft.daemon;

import dev.weft.linux.netns.Netns;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;

/**
 * A resolver for tests, on port 53 of an address in a test namespace, over UDP and TCP:
 * example.test has one A record ({@code answer}), big.test has 60 (too many for 512 bytes, so
 * over UDP it replies truncated with TC set, as real servers do), other names are NXDOMAIN.
 */
final class FakeUpstream implements AutoCloseable {
    static final int BIG_RECORDS = 60;
    private final DatagramChannel udp;
    private final ServerSocket tcp;
    private final InetAddress answer;

    FakeUpstream(Netns ns, String address, String answer) {
        this.answer = InetAddress.ofLiteral(answer);
        InetSocketAddress at = new InetSocketAddress(address, 53);
        this.udp = ns.call(() -> DatagramChannel.open().bind(at));
        this.tcp = ns.call(() -> new ServerSocket(53, 16, InetAddress.ofLiteral(address)));
        Thread.ofVirtual().start(this::serveUdp);
        Thread.ofVirtual().start(this::serveTcp);
    }

    private void serveUdp() {
        ByteBuffer in = ByteBuffer.allocate(4096);
        while (udp.isOpen()) {
            try {
                in.clear();
                var client = udp.receive(in);
                udp.send(ByteBuffer.wrap(reply(Arrays.copyOf(in.array(), in.position()), false)), client);
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serveTcp() {
        while (!tcp.isClosed()) {
            try (Socket s = tcp.accept()) {
                DataInputStream in = new DataInputStream(s.getInputStream());
                byte[] reply = reply(in.readNBytes(in.readUnsignedShort()), true);
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeShort(reply.length);
                out.write(reply);
                out.flush();
            } catch (IOException e) {
                if (tcp.isClosed()) {
                    return;
                }
            }
        }
    }

    private byte[] reply(byte[] query, boolean overTcp) throws IOException {
        Message q = new Message(query);
        Message r = new Message(q.getHeader().getID());
        r.getHeader().setFlag(Flags.QR);
        r.addRecord(q.getQuestion(), Section.QUESTION);
        Name name = q.getQuestion().getName();
        switch (name.toString()) {
            case "example.test." -> r.addRecord(new ARecord(name, DClass.IN, 60, answer), Section.ANSWER);
            case "big.test." -> {
                for (int i = 1; i <= BIG_RECORDS; i++) {
                    r.addRecord(new ARecord(name, DClass.IN, 60, InetAddress.ofLiteral("203.0.113." + i)), Section.ANSWER);
                }
            }
            default -> r.getHeader().setRcode(Rcode.NXDOMAIN);
        }
        byte[] wire = r.toWire();
        if (!overTcp && wire.length > 512) {
            Message truncated = new Message(q.getHeader().getID());
            truncated.getHeader().setFlag(Flags.QR);
            truncated.getHeader().setFlag(Flags.TC);
            truncated.addRecord(q.getQuestion(), Section.QUESTION);
            return truncated.toWire();
        }
        return wire;
    }

    @Override
    public void close() throws IOException {
        udp.close();
        tcp.close();
    }
}
