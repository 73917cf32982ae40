package dev.weft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.math.BigInteger;

/**
 * A strict RFC 8259 reader of one JSON document into Jackson's tree nodes, for the CLI's replies
 * from weftd. It exists for start-up time only (see {@link Json}): integers become int, long or
 * BigInteger nodes and other numbers doubles, as ObjectMapper's defaults make them.
 */
final class JsonReader {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int MAX_DEPTH = 1000;
    private final String s;
    private int i;

    JsonReader(String s) {
        this.s = s;
    }

    /** The document's value; the null node when it is empty or blank. */
    JsonNode document() throws IOException {
        skipSpace();
        if (i == s.length()) {
            return NODES.nullNode();
        }
        JsonNode v = value(0);
        skipSpace();
        if (i != s.length()) {
            throw error("unexpected text after the value");
        }
        return v;
    }

    private JsonNode value(int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw error("nested too deeply");
        }
        skipSpace();
        if (i == s.length()) {
            throw error("unexpected end");
        }
        char c = s.charAt(i);
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> NODES.textNode(string());
            case 't' -> literal("true", NODES.booleanNode(true));
            case 'f' -> literal("false", NODES.booleanNode(false));
            case 'n' -> literal("null", NODES.nullNode());
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw error("unexpected '" + c + "'");
            }
        };
    }

    private ObjectNode object(int depth) throws IOException {
        ObjectNode o = NODES.objectNode();
        i++;
        skipSpace();
        if (peek() == '}') {
            i++;
            return o;
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw error("expected a property name");
            }
            String name = string();
            skipSpace();
            expect(':');
            o.set(name, value(depth + 1));
            skipSpace();
            char c = next();
            if (c == '}') {
                return o;
            }
            if (c != ',') {
                throw error("expected ',' or '}'");
            }
        }
    }

    private ArrayNode array(int depth) throws IOException {
        ArrayNode a = NODES.arrayNode();
        i++;
        skipSpace();
        if (peek() == ']') {
            i++;
            return a;
        }
        while (true) {
            a.add(value(depth + 1));
            skipSpace();
            char c = next();
            if (c == ']') {
                return a;
            }
            if (c != ',') {
                throw error("expected ',' or ']'");
            }
        }
    }

    private String string() throws IOException {
        i++; // the opening quote
        StringBuilder b = new StringBuilder();
        while (true) {
            char c = next();
            if (c == '"') {
                return b.toString();
            }
            if (c < 0x20) {
                throw error("control character in a string");
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (i + 4 > s.length()) {
                        throw error("short \\u escape");
                    }
                    int code = 0;
                    for (int k = 0; k < 4; k++) {
                        int d = Character.digit(s.charAt(i++), 16);
                        if (d < 0) {
                            throw error("bad \\u escape");
                        }
                        code = code * 16 + d;
                    }
                    b.append((char) code);
                }
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    private JsonNode number() throws IOException {
        int start = i;
        if (peek() == '-') {
            i++;
        }
        if (peek() == '0') {
            i++;
        } else if (!digits()) {
            throw error("bad number");
        }
        boolean integral = true;
        if (peek() == '.') {
            i++;
            integral = false;
            if (!digits()) {
                throw error("bad number");
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            i++;
            integral = false;
            if (peek() == '+' || peek() == '-') {
                i++;
            }
            if (!digits()) {
                throw error("bad number");
            }
        }
        String text = s.substring(start, i);
        if (!integral) {
            return NODES.numberNode(Double.parseDouble(text));
        }
        int digits = text.length() - (text.charAt(0) == '-' ? 1 : 0);
        if (digits <= 9) {
            return NODES.numberNode(Integer.parseInt(text));
        }
        if (digits <= 18) {
            long v = Long.parseLong(text);
            return v == (int) v ? NODES.numberNode((int) v) : NODES.numberNode(v);
        }
        BigInteger v = new BigInteger(text);
        return v.bitLength() < 64 ? NODES.numberNode(v.longValue()) : NODES.numberNode(v);
    }

    private boolean digits() {
        int start = i;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        return i > start;
    }

    private JsonNode literal(String word, JsonNode node) throws IOException {
        if (!s.startsWith(word, i)) {
            throw error("unexpected text");
        }
        i += word.length();
        return node;
    }

    private void skipSpace() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            i++;
        }
    }

    private char peek() {
        return i < s.length() ? s.charAt(i) : '\0';
    }

    private char next() throws IOException {
        if (i == s.length()) {
            throw error("unexpected end");
        }
        return s.charAt(i++);
    }

    private void expect(char c) throws IOException {
        if (next() != c) {
            throw error("expected '" + c + "'");
        }
    }

    private IOException error(String what) {
        return new IOException("invalid JSON at offset " + i + ": " + what);
    }
}
