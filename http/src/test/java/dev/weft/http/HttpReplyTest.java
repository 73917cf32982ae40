package dev.weft.http;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Replies as weftd, Docker plugins and odd servers send them. */
class HttpReplyTest {
    private static HttpReply parse(String raw) throws IOException {
        return HttpReply.parse(raw.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void repliesWithLengthChunksOrNeitherAreRead() throws IOException {
        HttpReply sized = parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}trailing");
        assertThat(sized.status()).isEqualTo(200);
        assertThat(sized.text()).isEqualTo("{}");
        HttpReply chunked = parse("HTTP/1.1 500 Oops\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"Er\r\n"
                + "8;x=y\r\nr\": \"x\"}\r\n0\r\n\r\n");
        assertThat(chunked.status()).isEqualTo(500);
        assertThat(chunked.text()).isEqualTo("{\"Err\": \"x\"}");
        assertThat(parse("HTTP/1.0 201 Created\r\n\r\n{\"a\":1}").text()).isEqualTo("{\"a\":1}");
    }

    @Test
    void brokenRepliesAreErrorsThatSayWhy() {
        assertThatThrownBy(() -> parse("")).hasMessage("the connection closed without a reply");
        assertThatThrownBy(() -> parse("SSH-2.0-OpenSSH\r\n\r\n")).hasMessage("not an HTTP reply: \"SSH-2.0-OpenSSH\"");
        assertThatThrownBy(() -> parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}"))
                .hasMessage("the reply body is shorter than its Content-Length 10");
        assertThatThrownBy(() -> parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"))
                .hasMessage("bad chunk size \"zz\"");
    }

    @Test
    void completeKnowsWhenTheBodyHasArrived() {
        byte[] partial = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n{}".getBytes(StandardCharsets.US_ASCII);
        byte[] whole = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}".getBytes(StandardCharsets.US_ASCII);
        byte[] chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(HttpReply.complete(partial)).isFalse();
        assertThat(HttpReply.complete(whole)).isTrue();
        assertThat(HttpReply.complete(chunked)).isTrue();
        assertThat(HttpReply.complete("HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.US_ASCII))).isFalse();
    }

    @Test
    void requestsCarryTheirLengthAndTypeOnlyWithABody() {
        String get = new String(HttpRequest.encode("GET", "/v1/networks", "weft", "application/json", null), StandardCharsets.US_ASCII);
        assertThat(get).startsWith("GET /v1/networks HTTP/1.1\r\nHost: weft\r\n").contains("Content-Length: 0\r\n")
                .doesNotContain("Content-Type").endsWith("Connection: close\r\n\r\n");
        String post = new String(HttpRequest.encode("POST", "/x", "h", "a/b", "{}".getBytes(StandardCharsets.UTF_8)), StandardCharsets.US_ASCII);
        assertThat(post).contains("Content-Type: application/json\r\n").contains("Content-Length: 2\r\n").endsWith("\r\n\r\n{}");
    }
}
