package dev.weft.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * weftd's REST API over its Unix socket, one connection per request (HTTP/1.1, Connection:
 * close), so that a benchmark can call it without a CLI process and its JVM start-up.
 */
public final class WeftdApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path socket;

    public WeftdApi(Path socket) {
        this.socket = socket;
    }

    public record Answer(int status, String body) {
        public JsonNode json() {
            try {
                return body.isEmpty() ? JSON.nullNode() : JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + body, e);
            }
        }
    }

    /** POST with a JSON body built from {@code body}; fails unless the status is 2xx. */
    public JsonNode post(String path, Object body) {
        return ok("POST", path, body).json();
    }

    public JsonNode get(String path) {
        return ok("GET", path, null).json();
    }

    public void delete(String path) {
        ok("DELETE", path, null);
    }

    private Answer ok(String method, String path, Object body) {
        Answer a = call(method, path, body);
        if (a.status() / 100 != 2) {
            throw new IllegalStateException(method + " " + path + " answered " + a.status() + ": " + a.body());
        }
        return a;
    }

    public Answer call(String method, String path, Object body) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            byte[] content = body == null ? new byte[0] : JSON.writeValueAsBytes(body);
            String head = method + " " + path + " HTTP/1.1\r\nHost: weft\r\nConnection: close\r\n"
                    + (body == null ? "" : "Content-Type: application/json\r\n")
                    + "Content-Length: " + content.length + "\r\n\r\n";
            ByteBuffer out = ByteBuffer.allocate(head.length() + content.length);
            out.put(head.getBytes(StandardCharsets.US_ASCII)).put(content).flip();
            while (out.hasRemaining()) {
                ch.write(out);
            }
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            ByteBuffer in = ByteBuffer.allocate(16384);
            while (ch.read(in) >= 0) {
                all.write(in.array(), 0, in.position());
                in.clear();
            }
            return parse(all.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " on " + socket + ": " + e.getMessage(), e);
        }
    }

    /** Status and body of a whole HTTP/1.1 response, with or without chunked encoding. */
    private static Answer parse(byte[] raw) {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.1 ") || end < 0) {
            throw new IllegalStateException("not an HTTP response: " + text);
        }
        int status = Integer.parseInt(text.substring(9, 12));
        String headers = text.substring(0, end).toLowerCase(java.util.Locale.ROOT);
        String rest = text.substring(end + 4);
        if (headers.contains("transfer-encoding: chunked")) {
            StringBuilder body = new StringBuilder();
            int at = 0;
            while (true) {
                int eol = rest.indexOf("\r\n", at);
                int size = Integer.parseInt(rest.substring(at, eol).split(";")[0].trim(), 16);
                if (size == 0) {
                    break;
                }
                body.append(rest, eol + 2, eol + 2 + size);
                at = eol + 2 + size + 2;
            }
            rest = body.toString();
        }
        return new Answer(status, new String(rest.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
    }
}
