package dev.weft.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** A whole HTTP/1.x reply: its status code and body (sized by Content-Length, chunked, or up to the close). */
public record HttpReply(int status, byte[] body) {
    private static final byte[] HEAD_END = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = "\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** Parses a whole reply: status line, headers, body. */
    public static HttpReply parse(byte[] raw) throws IOException {
        int end = indexOf(raw, HEAD_END, 0);
        if (end < 0) {
            throw new IOException(raw.length == 0 ? "the connection closed without a reply"
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
                try {
                    length = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    throw new IOException("bad Content-Length \"" + value + "\"");
                }
            } else if (name.equals("transfer-encoding")) {
                chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
            }
        }
        int from = end + 4;
        if (chunked) {
            return new HttpReply(code, dechunk(raw, from));
        }
        if (length >= 0 && from + length > raw.length) {
            throw new IOException("the reply body is shorter than its Content-Length " + length);
        }
        int to = length < 0 ? raw.length : (int) (from + length);
        byte[] body = new byte[to - from];
        System.arraycopy(raw, from, body, 0, body.length);
        return new HttpReply(code, body);
    }

    /**
     * Whether {@code raw} already holds a whole reply whose length its headers tell, for a peer that
     * keeps the connection open despite {@code Connection: close}.
     */
    public static boolean complete(byte[] raw) {
        int end = indexOf(raw, HEAD_END, 0);
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
        return head.contains("chunked") && indexOf(raw, LAST_CHUNK, end) >= 0;
    }

    private static byte[] dechunk(byte[] raw, int from) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int pos = from;
        while (true) {
            int eol = indexOf(raw, CRLF, pos);
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
            if (n < 0 || eol + 2 + n > raw.length) {
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
