package dev.weft.engine.plugin;

import dev.weft.http.HttpConnectException;
import dev.weft.http.HttpReply;
import dev.weft.http.HttpRequest;
import dev.weft.http.HttpTimeoutException;
import dev.weft.http.UnixHttp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 POST to a plugin's {@link PluginAddress}, through weft's HTTP client
 * ({@code dev.weft.http}). One deadline bounds connecting, the TLS handshake, sending and reading,
 * so that a plugin that never answers cannot hang the controller (which holds its lock during
 * driver calls): over a Unix socket the client's own deadline does it; a TCP socket (plain, or an
 * {@link SSLSocket} over it) is blocking and is closed by a timer when the deadline passes.
 */
final class PluginHttp {
    /** Closes TCP connections whose deadline passed; one daemon thread for all calls. */
    private static final ScheduledThreadPoolExecutor ALARMS = new ScheduledThreadPoolExecutor(1,
            Thread.ofPlatform().daemon().name("plugin-deadline").factory());

    static {
        ALARMS.setRemoveOnCancelPolicy(true);
    }

    private PluginHttp() {
    }

    /** POSTs {@code body} with {@code accept} as the Accept header to {@code path} at {@code to}. */
    static HttpReply post(PluginAddress to, String path, String accept, byte[] body, Duration timeout) throws IOException {
        String host = to instanceof PluginAddress.Tcp t ? t.hostPort() : "plugin";
        byte[] request = HttpRequest.encode("POST", path, host, accept, body);
        return switch (to) {
            case PluginAddress.Unix u -> UnixHttp.exchange(u.path(), request, timeout);
            case PluginAddress.Tcp t -> postTcp(t, request, System.nanoTime() + timeout.toNanos());
        };
    }

    /** Where a TCP call is, for the message when its deadline passes. */
    private static final class Progress {
        volatile String doing = "connecting";
        volatile boolean expired;
    }

    private static HttpReply postTcp(PluginAddress.Tcp to, byte[] request, long deadline) throws IOException {
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
                throw new HttpTimeoutException("no reply in time (connecting to " + to.hostPort() + ")");
            } catch (IOException e) {
                if (progress.expired) {
                    throw e;
                }
                throw new HttpConnectException("cannot connect to " + to.hostPort() + ": " + e.getMessage(), e);
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
                if (HttpReply.complete(got.toByteArray())) {
                    break;
                }
            }
            raw = got.toByteArray();
        } catch (HttpConnectException | HttpTimeoutException e) {
            throw e;
        } catch (IOException e) {
            if (progress.expired) {
                throw new HttpTimeoutException("no reply in time (" + progress.doing + ")");
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
        return HttpReply.parse(raw);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // what the call saw matters, not the close
        }
    }
}
