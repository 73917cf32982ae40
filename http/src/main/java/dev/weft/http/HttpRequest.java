package dev.weft.http;

import java.nio.charset.StandardCharsets;

/** An HTTP/1.1 request as bytes: one per connection ({@code Connection: close}), JSON when it has a body. */
public final class HttpRequest {
    private HttpRequest() {
    }

    /** {@code method path} to {@code host} with {@code accept}; a null body sends no Content-Type. */
    public static byte[] encode(String method, String path, String host, String accept, byte[] body) {
        byte[] payload = body == null ? new byte[0] : body;
        String head = method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAccept: " + accept
                + (body == null ? "" : "\r\nContent-Type: application/json") + "\r\nContent-Length: " + payload.length
                + "\r\nConnection: close\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[h.length + payload.length];
        System.arraycopy(h, 0, out, 0, h.length);
        System.arraycopy(payload, 0, out, h.length, payload.length);
        return out;
    }
}
