package dev.weft.engine.driver.remote;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/1.1 POST to a plugin's {@link PluginAddress}, with the JDK only: one request per
 * connection ({@code Connection: close}), the reply read until the plugin closes, bodies with
 * {@code Content-Length}, chunked or up to the close. One deadline bounds connecting, the TLS
 * handshake, sending and reading, so that a plugin that never answers cannot hang the controller
 * (which holds its lock during driver calls): a Unix socket is non-blocking with a selector; a
 * TCP socket (plain, or an {@link SSLSocket} over it) is blocking and is closed by a timer when
 * the deadline passes.
 */
final class PluginHttp {
    /** Connecting failed: nothing reached the plugin, so the call may be retried. */
    static final class ConnectFailed extends IOException {
        ConnectFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The deadline passed before the reply was complete. */
    static final class TimedOut extends IOException {
        TimedOut(String message) {
            super(message);
        }
    }

    /** A reply: its status code and body. */
    record Reply(int status, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** Closes TCP connections whose deadline passed; one daemon thread for all calls. */
    private static final ScheduledThreadPoolExecutor ALARMS = new ScheduledThreadPoolExecutor(1,
            Thread.ofPlatform().daemon().name("plugin-deadline").factory());

    static {
        ALARMS.setRemoveOnCancelPolicy(true);
    }

    private PluginHttp() {
    }

    /** POSTs {@code body} with {@code accept} as the Accept header to {@code path} at {@code to}. */
    static Reply post(PluginAddress to, String path, String accept, byte[] body, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String host = to instanceof PluginAddress.Tcp t ? t.hostPort() : "plugin";
        String head = "POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAccept: " + accept
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
        ByteBuffer out = ByteBuffer.allocate(head.length() + body.length);
        out.put(head.getBytes(StandardCharsets.US_ASCII)).put(body).flip();
        return switch (to) {
            case PluginAddress.Unix u -> postUnix(u.path(), out, deadline);
            case PluginAddress.Tcp t -> postTcp(t, out.array(), deadline);
        };
    }

    private static Reply postUnix(Path socket, ByteBuffer out, long deadline) throws IOException {
        try (SocketChannel ch = connect(socket); Selector selector = Selector.open()) {
            ch.configureBlocking(false);
            SelectionKey key = ch.register(selector, SelectionKey.OP_WRITE);
            while (out.hasRemaining()) {
                await(selector, deadline, "sending the request");
                ch.write(out);
            }
            key.interestOps(SelectionKey.OP_READ);
            ByteArrayOutputStream in = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(8192);
            while (true) {
                await(selector, deadline, "waiting for the reply");
                int n = ch.read(buf.clear());
                if (n < 0) {
                    break;
                }
                in.write(buf.array(), 0, n);
                if (complete(in.toByteArray())) {
                    break; // a plugin that keeps the connection open despite Connection: close
                }
            }
            return parse(in.toByteArray());
        }
    }

    /** Where a TCP call is, for the message when its deadline passes. */
    private static final class Progress {
        volatile String doing = "connecting";
        volatile boolean expired;
    }

    private static Reply postTcp(PluginAddress.Tcp to, byte[] request, long deadline) throws IOException {
        SSLSocketFactory tls = to.tls() == null ? null : PluginTls.socketFactory(to.tls()); // bad files: before connecting
        Socket plain = new Socket();
        Socket socket = plain;
        Progress progress = new Progress();
        byte[] raw;
        ScheduledFuture<?> alarm = ALARMS.schedule(() -> {
            progress.expired = true;
            closeQuietly(plain);
        }, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        try {
            try {
                plain.connect(new InetSocketAddress(to.host(), to.port()),
                        (int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (SocketTimeoutException e) {
                throw new TimedOut("no reply in time (connecting to " + to.hostPort() + ")");
            } catch (IOException e) {
                if (progress.expired) {
                    throw e;
                }
                throw new ConnectFailed("cannot connect to " + to.hostPort() + ": " + e.getMessage(), e);
            }
            if (tls != null) {
                progress.doing = "the TLS handshake";
                SSLSocket ssl = (SSLSocket) tls.createSocket(plain, to.host(), to.port(), true);
                socket = ssl;
                if (!to.tls().insecureSkipVerify()) {
                    SSLParameters params = ssl.getSSLParameters();
                    params.setEndpointIdentificationAlgorithm("HTTPS"); // the name or IP address must be in the certificate
                    ssl.setSSLParameters(params);
                }
                ssl.startHandshake();
            }
            progress.doing = "sending the request";
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            progress.doing = "waiting for the reply";
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) >= 0; ) {
                got.write(buf, 0, n);
                if (complete(got.toByteArray())) {
                    break;
                }
            }
            raw = got.toByteArray();
        } catch (ConnectFailed | TimedOut e) {
            throw e;
        } catch (IOException e) {
            if (progress.expired) {
                throw new TimedOut("no reply in time (" + progress.doing + ")");
            }
            if (tls == null) {
                throw e;
            }
            // TLS 1.3: a server that wants a client certificate checks it after the handshake and hangs up
            String hint = to.tls().certFile() == null && !(e instanceof SSLException)
                    ? " (the plugin may require a client certificate: the TLSConfig has no CertFile)" : "";
            throw new IOException("TLS with " + to.hostPort() + " failed (" + progress.doing + "): " + e.getMessage() + hint, e);
        } finally {
            closeQuietly(socket); // before the alarm goes: closing TLS is bounded by the deadline too
            alarm.cancel(false);
        }
        return parse(raw);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // what the call saw matters, not the close
        }
    }

    private static SocketChannel connect(Path socket) throws ConnectFailed {
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
            throw new ConnectFailed("cannot connect to " + socket + ": " + e.getMessage(), e);
        }
    }

    private static void await(Selector selector, long deadline, String doing) throws IOException {
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimedOut("no reply in time (" + doing + ")");
            }
            selector.selectedKeys().clear();
            if (selector.select(Math.max(1, left / 1_000_000)) > 0) {
                return;
            }
        }
    }

    /** Parses a whole HTTP/1.x reply: status line, headers, body. */
    static Reply parse(byte[] raw) throws IOException {
        int end = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0);
        if (end < 0) {
            throw new IOException(raw.length == 0 ? "the plugin closed the connection without a reply"
                    : "the reply has no complete HTTP header");
        }
        String[] lines = new String(raw, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] status = lines[0].split(" ", 3);
        if (status.length < 2 || !status[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP reply: \"" + lines[0] + "\"");
        }
        int code;
        try {
            code = Integer.parseInt(status[1]);
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP status: \"" + lines[0] + "\"");
        }
        long length = -1;
        boolean chunked = false;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).trim();
            if (name.equals("content-length")) {
                length = Long.parseLong(value);
            } else if (name.equals("transfer-encoding")) {
                chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
            }
        }
        int from = end + 4;
        if (chunked) {
            return new Reply(code, dechunk(raw, from));
        }
        int to = length < 0 ? raw.length : (int) Math.min(raw.length, from + length);
        if (length >= 0 && from + length > raw.length) {
            throw new IOException("the reply body is shorter than its Content-Length " + length);
        }
        byte[] body = new byte[to - from];
        System.arraycopy(raw, from, body, 0, body.length);
        return new Reply(code, body);
    }

    /** Whether {@code raw} holds a whole reply whose length its headers tell. */
    private static boolean complete(byte[] raw) {
        int end = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0);
        if (end < 0) {
            return false;
        }
        String head = new String(raw, 0, end, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
        int at = head.indexOf("\r\ncontent-length:");
        if (at >= 0) {
            int eol = head.indexOf("\r\n", at + 2);
            String value = head.substring(at + 17, eol < 0 ? head.length() : eol).trim();
            return value.matches("[0-9]{1,9}") && raw.length - end - 4 >= Integer.parseInt(value);
        }
        return head.contains("chunked") && indexOf(raw, "\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII), end) >= 0;
    }

    private static byte[] dechunk(byte[] raw, int from) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int pos = from;
        while (true) {
            int eol = indexOf(raw, new byte[] {'\r', '\n'}, pos);
            if (eol < 0) {
                throw new IOException("truncated chunked reply");
            }
            String size = new String(raw, pos, eol - pos, StandardCharsets.US_ASCII);
            int semi = size.indexOf(';');
            int n;
            try {
                n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("bad chunk size \"" + size + "\"");
            }
            if (n == 0) {
                return out.toByteArray();
            }
            if (eol + 2 + n > raw.length) {
                throw new IOException("truncated chunked reply");
            }
            out.write(raw, eol + 2, n);
            pos = eol + 2 + n + 2;
        }
    }

    private static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = from; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
