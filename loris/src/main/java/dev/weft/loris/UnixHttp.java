package dev.weft.loris;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One GET over HTTP/1.1 on a Unix socket (weftd's API, Docker's Engine API): the JDK's own HTTP
 * client cannot dial Unix sockets, so the request is written by hand, with Connection: close.
 */
final class UnixHttp {
    private static final ObjectMapper JSON = new ObjectMapper();

    private UnixHttp() {
    }

    /** The JSON body of a 2xx answer, empty on 404; anything else is an error naming the server. */
    static Optional<JsonNode> get(Path socket, String path, String server) {
        String request = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAccept: application/json\r\n\r\n";
        byte[] raw;
        try (var ch = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            ch.connect(java.net.UnixDomainSocketAddress.of(socket));
            ch.write(java.nio.ByteBuffer.wrap(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            raw = java.nio.channels.Channels.newInputStream(ch).readAllBytes();
        } catch (IOException e) {
            throw new LorisException("cannot reach " + server + " at unix://" + socket + ": " + e.getMessage());
        }
        String text = new String(raw, java.nio.charset.StandardCharsets.UTF_8);
        int head = text.indexOf("\r\n\r\n");
        if (head < 0 || !text.startsWith("HTTP/1.")) {
            throw new LorisException("unreadable answer from " + server + " at unix://" + socket);
        }
        int status = Integer.parseInt(text.substring(9, 12));
        String body = text.substring(head + 4);
        if (text.substring(0, head).toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) {
            body = dechunk(body);
        }
        if (status == 404) {
            return Optional.empty();
        }
        try {
            JsonNode json = body.isBlank() ? JSON.nullNode() : JSON.readTree(body);
            if (status >= 300) {
                throw new LorisException(server + " answered " + status + ": " + json.path("message").asText(body.trim()));
            }
            return Optional.of(json);
        } catch (IOException e) {
            throw new LorisException("unreadable answer from " + server + " (status " + status + ")");
        }
    }

    private static String dechunk(String in) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (true) {
            int eol = in.indexOf("\r\n", i);
            if (eol < 0) {
                return out.toString();
            }
            int n = Integer.parseInt(in.substring(i, eol).split(";")[0].trim(), 16);
            if (n == 0) {
                return out.toString();
            }
            out.append(in, eol + 2, eol + 2 + n);
            i = eol + 2 + n + 2;
        }
    }

}
