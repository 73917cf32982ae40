package dev.weft.daemon.dns;

import dev.weft.daemon.kernel.HostKernel;
import dev.weft.daemon.metrics.WeftMetrics;
import dev.weft.engine.Controller;
import dev.weft.engine.WeftException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The resolver behind every sandbox's 127.0.0.11: names of the sandbox's networks from the
 * controller (A, AAAA, PTR), NXDOMAIN for other single-label names, everything else forwarded to
 * the host's resolvers in turn, each with a timeout shorter than a client's (2 s of its 5 s).
 * Forwarding happens from weftd's own namespace, so even a loopback resolver of the host (such as
 * systemd-resolved's 127.0.0.53) serves containers.
 */
public final class DnsResolver {
    static final long TTL = 600;
    private static final Logger LOG = LoggerFactory.getLogger(DnsResolver.class);
    private final Controller controller;
    private final List<InetSocketAddress> upstreams;
    private final Duration timeout;
    private final HostKernel host;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private final WeftMetrics metrics;

    /** Forwards from {@code host}'s namespace; counts every query in {@code metrics}. */
    public DnsResolver(Controller controller, List<InetSocketAddress> upstreams, Duration timeout, HostKernel host,
                       WeftMetrics metrics) {
        this.metrics = metrics;
        this.controller = controller;
        this.upstreams = List.copyOf(upstreams);
        this.timeout = timeout;
        this.host = host;
    }

    /** The answer to {@code query} for a client in {@code sandboxId}; null when the query is not DNS at all. */
    public byte[] answer(String sandboxId, byte[] query, boolean tcp) {
        return timed(() -> respond(query, tcp, () -> view(sandboxId)));
    }

    /**
     * The answer to {@code query} from {@code names} (lower-case name to addresses), other names
     * forwarded to the host's resolvers; null when the query is not DNS at all.
     */
    public byte[] answer(Map<String, List<InetAddress>> names, byte[] query, boolean tcp) {
        return timed(() -> respond(query, tcp, () -> new Cached(0, DnsNames.of(names), upstreams)));
    }

    /** The reply on the wire, the query counted in the metrics with its outcome and time. */
    private byte[] timed(java.util.function.Supplier<Answer> respond) {
        long start = System.nanoTime();
        String outcome = "error";
        try {
            Answer a = respond.get();
            outcome = a.outcome();
            return a.wire();
        } finally {
            metrics.dnsQuery(outcome, System.nanoTime() - start);
        }
    }

    /** A reply on the wire (null: no reply) and its outcome for the metrics. */
    private record Answer(byte[] wire, String outcome) {
    }

    private Answer respond(byte[] query, boolean tcp, java.util.function.Supplier<Cached> views) {
        Message request;
        try {
            request = new Message(query);
        } catch (IOException e) {
            return new Answer(null, "malformed");
        }
        Record question = request.getQuestion();
        if (question == null || request.getHeader().getOpcode() != 0) {
            return new Answer(error(request, Rcode.FORMERR, tcp), "formerr");
        }
        String name = question.getName().toString(true).toLowerCase(Locale.ROOT);
        int type = question.getType();
        Cached view;
        try {
            view = views.get();
        } catch (WeftException e) {
            return new Answer(error(request, Rcode.REFUSED, tcp), "refused"); // the sandbox is gone
        }
        DnsNames names = view.names();
        if (type == Type.PTR && name.endsWith(".arpa")) {
            InetAddress ip = fromReverse(question.getName());
            String target = ip == null ? null : names.reverse(ip);
            if (target != null) {
                return new Answer(local(request, question, List.of(ptr(question.getName(), target)), tcp), "local");
            }
        }
        List<InetAddress> addresses = names.lookup(name);
        if (addresses != null) {
            return new Answer(local(request, question, records(question.getName(), type, addresses), tcp), "local");
        }
        if (name.indexOf('.') < 0) {
            return new Answer(error(request, Rcode.NXDOMAIN, tcp), "nxdomain");
        }
        return forward(request, query, tcp, view.upstreams());
    }

    /**
     * The sandbox's names and upstreams, built once per change of the controller's records rather
     * than per query (building them is most of a query's cost).
     */
    private Cached view(String sandboxId) {
        long generation = controller.generation();
        Cached cached = cache.get(sandboxId);
        if (cached != null && cached.generation == generation) {
            return cached;
        }
        Cached fresh = new Cached(generation, DnsNames.of(controller, sandboxId), upstreamsOf(sandboxId));
        cache.put(sandboxId, fresh);
        return fresh;
    }

    private record Cached(long generation, DnsNames names, List<InetSocketAddress> upstreams) {
    }

    /** Drops what is kept for a sandbox that is gone. */
    void forget(String sandboxId) {
        cache.remove(sandboxId);
    }

    /** The sandbox's own DNS servers (docker run --dns), else the host's. */
    private List<InetSocketAddress> upstreamsOf(String sandboxId) {
        List<String> own = controller.sandbox(sandboxId).state().dnsServers();
        return own.isEmpty() ? upstreams
                : own.stream().map(a -> new InetSocketAddress(InetAddress.ofLiteral(a), 53)).toList();
    }

    private static List<Record> records(Name name, int type, List<InetAddress> addresses) {
        return addresses.stream()
                .filter(a -> type == Type.ANY || (type == Type.A && a instanceof Inet4Address)
                        || (type == Type.AAAA && a instanceof Inet6Address))
                .map(a -> (Record) (a instanceof Inet4Address ? new ARecord(name, DClass.IN, TTL, a)
                        : new AAAARecord(name, DClass.IN, TTL, a)))
                .toList();
    }

    private static Record ptr(Name reverse, String target) {
        try {
            return new PTRRecord(reverse, DClass.IN, TTL, Name.fromString(target + "."));
        } catch (TextParseException e) {
            throw new IllegalStateException(e);
        }
    }

    private static InetAddress fromReverse(Name reverse) {
        try {
            return ReverseMap.fromName(reverse);
        } catch (IOException | IllegalArgumentException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** An authoritative answer from the controller's names (an empty one is NODATA). */
    private static byte[] local(Message request, Record question, List<Record> answers, boolean tcp) {
        Message response = reply(request, Rcode.NOERROR);
        response.getHeader().setFlag(Flags.AA);
        answers.forEach(r -> response.addRecord(r, Section.ANSWER));
        return wire(response, request, tcp);
    }

    private static byte[] error(Message request, int rcode, boolean tcp) {
        return wire(reply(request, rcode), request, tcp);
    }

    private static Message reply(Message request, int rcode) {
        Message response = new Message(request.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.RA);
        if (request.getHeader().getFlag(Flags.RD)) {
            response.getHeader().setFlag(Flags.RD);
        }
        response.getHeader().setRcode(rcode);
        if (request.getQuestion() != null) {
            response.addRecord(request.getQuestion(), Section.QUESTION);
        }
        return response;
    }

    /** The wire form; over UDP, truncated (TC, no records) when larger than the client accepts. */
    private static byte[] wire(Message response, Message request, boolean tcp) {
        byte[] bytes = response.toWire();
        int limit = udpLimit(request);
        if (tcp || bytes.length <= limit) {
            return bytes;
        }
        Message truncated = reply(request, response.getRcode());
        truncated.getHeader().setFlag(Flags.TC);
        return truncated.toWire();
    }

    private static int udpLimit(Message request) {
        OPTRecord opt = request.getOPT();
        return opt == null ? 512 : Math.max(512, opt.getPayloadSize());
    }

    /**
     * Asks each upstream in turn over UDP; SERVFAIL when none answers in time. A truncated answer
     * is asked again over TCP when the client came over TCP; a UDP client gets it truncated and
     * retries over TCP itself, as resolvers do.
     */
    private Answer forward(Message request, byte[] query, boolean tcp, List<InetSocketAddress> servers) {
        for (InetSocketAddress upstream : servers) {
            try {
                Message answer = new Message(overUdp(upstream, query));
                if (answer.getHeader().getID() != request.getHeader().getID()) {
                    continue;
                }
                if (tcp && answer.getHeader().getFlag(Flags.TC)) {
                    answer = new Message(overTcp(upstream, query));
                }
                return new Answer(wire(answer, request, tcp), "forwarded");
            } catch (SocketTimeoutException e) {
                LOG.debug("upstream {} did not answer in {}", upstream, timeout);
            } catch (IOException e) {
                LOG.debug("upstream {} failed: {}", upstream, e.getMessage());
            }
        }
        return new Answer(error(request, Rcode.SERVFAIL, tcp), "servfail");
    }

    private byte[] overUdp(InetSocketAddress upstream, byte[] query) throws IOException {
        try (DatagramSocket socket = host.inHost(DatagramSocket::new)) {
            socket.setSoTimeout((int) timeout.toMillis());
            socket.send(new DatagramPacket(query, query.length, upstream));
            byte[] buffer = new byte[65535];
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            socket.receive(packet);
            return Arrays.copyOf(buffer, packet.getLength());
        }
    }

    /**
     * One query over TCP: two length bytes, then the message, both ways (RFC 1035 4.2.2). The
     * channel is opened in the host namespace, where its socket is made at once.
     */
    private byte[] overTcp(InetSocketAddress upstream, byte[] query) throws IOException {
        try (SocketChannel channel = host.inHost(SocketChannel::open)) {
            Socket socket = channel.socket();
            socket.connect(upstream, (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeShort(query.length);
            out.write(query);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            return in.readNBytes(in.readUnsignedShort());
        }
    }
}
