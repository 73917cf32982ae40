package dev.weft.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One request and its reply over a Unix socket. Without a timeout the channel blocks (what a CLI
 * wants: no selector, nothing more to load at start); with one, it is non-blocking under a
 * selector and one deadline bounds sending and reading, so a server that never answers cannot
 * hang the caller.
 */
public final class UnixHttp {
    private UnixHttp() {
    }

    /** Sends {@code request} to {@code socket} and reads the reply; {@code timeout} null waits as long as it takes. */
    public static HttpReply exchange(Path socket, byte[] request, Duration timeout) throws IOException {
        try (SocketChannel ch = connect(socket)) {
            ByteBuffer out = ByteBuffer.wrap(request);
            ByteArrayOutputStream in = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
            if (timeout == null) {
                while (out.hasRemaining()) {
                    ch.write(out);
                }
                while (ch.read(buf.clear()) >= 0) {
                    in.write(buf.array(), 0, buf.position());
                    if (HttpReply.complete(in.toByteArray())) {
                        break;
                    }
                }
                return HttpReply.parse(in.toByteArray());
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            try (Selector selector = Selector.open()) {
                ch.configureBlocking(false);
                SelectionKey key = ch.register(selector, SelectionKey.OP_WRITE);
                while (out.hasRemaining()) {
                    await(selector, deadline, "sending the request");
                    ch.write(out);
                }
                key.interestOps(SelectionKey.OP_READ);
                while (true) {
                    await(selector, deadline, "waiting for the reply");
                    int n = ch.read(buf.clear());
                    if (n < 0) {
                        break;
                    }
                    in.write(buf.array(), 0, n);
                    if (HttpReply.complete(in.toByteArray())) {
                        break;
                    }
                }
            }
            return HttpReply.parse(in.toByteArray());
        }
    }

    private static SocketChannel connect(Path socket) throws HttpConnectException {
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket)); // local: completes or fails at once
            return ch;
        } catch (IOException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // the connection error is what matters
                }
            }
            throw new HttpConnectException("cannot connect to " + socket + ": " + e.getMessage(), e);
        }
    }

    private static void await(Selector selector, long deadline, String doing) throws IOException {
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new HttpTimeoutException("no reply in time (" + doing + ")");
            }
            selector.selectedKeys().clear();
            if (selector.select(Math.max(1, left / 1_000_000)) > 0) {
                return;
            }
        }
    }
}
