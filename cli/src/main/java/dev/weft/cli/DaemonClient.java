package dev.weft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/**
 * HTTP/1.1 to weftd over its Unix socket with nothing but the JDK: one request per connection
 * (Connection: close), so the CLI starts no client library, thread pool or scheduler. A failed
 * request becomes a {@link CliException} carrying weftd's message.
 */
final class DaemonClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private final Path socket;

    DaemonClient(Path socket) {
        this.socket = socket;
    }

    JsonNode get(String path) {
        return call("GET", path, null);
    }

    JsonNode post(String path, Object body) {
        return call("POST", path, body);
    }

    void delete(String path) {
        call("DELETE", path, null);
    }

    private JsonNode call(String method, String path, Object body) {
        byte[] payload;
        try {
            payload = body == null ? new byte[0] : JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new CliException("cannot encode the request: " + e.getMessage());
        }
        Response r;
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                throw new CliException("cannot connect to weftd at unix://" + socket + " (is weftd running? set -H or WEFT_HOST)");
            }
            String head = method + " " + path + " HTTP/1.1\r\nHost: weft\r\nConnection: close\r\nAccept: application/json\r\n"
                    + (body == null ? "" : "Content-Type: application/json\r\n") + "Content-Length: " + payload.length + "\r\n\r\n";
            ByteBuffer out = ByteBuffer.allocate(head.length() + payload.length)
                    .put(head.getBytes(StandardCharsets.US_ASCII)).put(payload).flip();
            while (out.hasRemaining()) {
                channel.write(out);
            }
            r = Response.parse(readAll(channel));
        } catch (IOException e) {
            throw new CliException("talking to weftd at unix://" + socket + " failed: " + e.getMessage());
        }
        JsonNode json;
        try {
            json = r.body().length == 0 ? JSON.nullNode() : JSON.readTree(r.body());
        } catch (IOException e) {
            throw new CliException("unreadable answer from weftd (status " + r.status() + ")");
        }
        if (r.status() >= 400) {
            throw new CliException(json.path("message").asText("weftd answered " + r.status()));
        }
        return json;
    }

    private static byte[] readAll(SocketChannel channel) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
        while (channel.read(buffer.clear()) >= 0) {
            all.write(buffer.array(), 0, buffer.position());
        }
        return all.toByteArray();
    }

    /** A parsed HTTP/1.1 response: status and body (Content-Length or chunked). */
    record Response(int status, byte[] body) {
        static Response parse(byte[] raw) throws IOException {
            int headEnd = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0);
            if (headEnd < 0) {
                throw new IOException("incomplete HTTP response");
            }
            String[] lines = new String(raw, 0, headEnd, StandardCharsets.ISO_8859_1).split("\r\n");
            String[] statusLine = lines[0].split(" ", 3);
            if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/")) {
                throw new IOException("not an HTTP response: " + lines[0]);
            }
            boolean chunked = false;
            for (int i = 1; i < lines.length; i++) {
                String l = lines[i].toLowerCase(Locale.ROOT);
                chunked |= l.startsWith("transfer-encoding:") && l.contains("chunked");
            }
            int start = headEnd + 4;
            byte[] body = java.util.Arrays.copyOfRange(raw, start, raw.length);
            return new Response(Integer.parseInt(statusLine[1]), chunked ? dechunk(body) : body);
        }

        private static byte[] dechunk(byte[] in) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int i = 0;
            while (true) {
                int eol = indexOf(in, new byte[] {'\r', '\n'}, i);
                if (eol < 0) {
                    throw new IOException("malformed chunked body");
                }
                String size = new String(in, i, eol - i, StandardCharsets.US_ASCII).split(";")[0].trim();
                int n = Integer.parseInt(size, 16);
                if (n == 0) {
                    return out.toByteArray();
                }
                out.write(in, eol + 2, n);
                i = eol + 2 + n + 2;
            }
        }

        private static int indexOf(byte[] data, byte[] pattern, int from) {
            outer:
            for (int i = from; i <= data.length - pattern.length; i++) {
                for (int j = 0; j < pattern.length; j++) {
                    if (data[i + j] != pattern[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }

    @Override
    public void close() {
        // one connection per request: nothing held between calls
    }
}
