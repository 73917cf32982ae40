package dev.weft.engine.driver.remote;

import dev.weft.engine.WeftException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Finding plugins as Docker's v1 registry does, and reading HTTP replies, without a kernel. */
class RemotePluginDiscoveryTest {
    @TempDir
    Path dir;

    private PluginDiscovery discovery() {
        return new PluginDiscovery(List.of(dir.resolve("run")), List.of(dir.resolve("etc"), dir.resolve("lib")));
    }

    private static void socketAt(Path p) throws IOException {
        Files.createDirectories(p.getParent());
        try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.bind(UnixDomainSocketAddress.of(p));
        }
    }

    private Path write(String relative, String content) throws IOException {
        Path p = dir.resolve(relative);
        Files.createDirectories(p.getParent());
        return Files.writeString(p, content);
    }

    @Test
    void socketsComeFirstInEitherLayout() throws IOException {
        socketAt(dir.resolve("run/a.sock"));
        socketAt(dir.resolve("run/b/b.sock"));
        write("etc/a.spec", "unix:///elsewhere/a.sock");
        assertThat(discovery().socket("a")).isEqualTo(dir.resolve("run/a.sock"));
        assertThat(discovery().socket("b")).isEqualTo(dir.resolve("run/b/b.sock"));
    }

    @Test
    void specAndJsonFilesGiveUnixAddresses() throws IOException {
        write("etc/s.spec", "  unix:///run/s/s.sock\n");
        write("lib/j/j.json", "{\"Name\": \"j\", \"Addr\": \"unix:///run/j.sock\", \"TLSConfig\": null}");
        assertThat(discovery().socket("s")).isEqualTo(Path.of("/run/s/s.sock"));
        assertThat(discovery().socket("j")).isEqualTo(Path.of("/run/j.sock"));
    }

    @Test
    void tcpPluginsAndBadSpecsAreRefusedClearly() throws IOException {
        Path spec = write("etc/t.spec", "tcp://127.0.0.1:8080");
        assertThatThrownBy(() -> discovery().socket("t")).isInstanceOf(WeftException.class).hasMessage(
                "plugin address \"tcp://127.0.0.1:8080\": tcp:// plugins are not supported yet, only unix:// sockets"
                        + " (in " + spec + ", network plugin t)");
        write("etc/n.spec", "/run/n.sock");
        assertThatThrownBy(() -> discovery().socket("n")).hasMessageContaining("has no scheme (unix://PATH)");
        write("etc/x.json", "{\"Name\": \"x\"}");
        assertThatThrownBy(() -> discovery().socket("x")).hasMessageContaining("has no \"Addr\"");
        assertThatThrownBy(() -> discovery().socket("../x")).hasMessage("invalid plugin name \"../x\"");
    }

    @Test
    void aMissingPluginNamesEveryPlaceLookedAt() {
        assertThatThrownBy(() -> discovery().socket("gone"))
                .satisfies(e -> assertThat(((WeftException) e).kind()).isEqualTo(WeftException.Kind.NOT_FOUND))
                .hasMessageContaining(dir.resolve("run/gone.sock").toString())
                .hasMessageContaining(dir.resolve("run/gone/gone.sock").toString())
                .hasMessageContaining(dir.resolve("lib/gone/gone.json").toString());
    }

    private static UnixHttp.Reply parse(String raw) throws IOException {
        return UnixHttp.parse(raw.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void repliesWithLengthChunksOrNeitherAreRead() throws IOException {
        UnixHttp.Reply sized = parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}trailing");
        assertThat(sized.status()).isEqualTo(200);
        assertThat(sized.text()).isEqualTo("{}");
        UnixHttp.Reply chunked = parse("HTTP/1.1 500 Oops\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"Er\r\n"
                + "8;x=y\r\nr\": \"x\"}\r\n0\r\n\r\n");
        assertThat(chunked.status()).isEqualTo(500);
        assertThat(chunked.text()).isEqualTo("{\"Err\": \"x\"}");
        assertThat(parse("HTTP/1.0 201 Created\r\n\r\n{\"a\":1}").text()).isEqualTo("{\"a\":1}");
    }

    @Test
    void brokenRepliesAreErrorsThatSayWhy() {
        assertThatThrownBy(() -> parse("")).hasMessage("the plugin closed the connection without a reply");
        assertThatThrownBy(() -> parse("SSH-2.0-OpenSSH\r\n\r\n")).hasMessage("not an HTTP reply: \"SSH-2.0-OpenSSH\"");
        assertThatThrownBy(() -> parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}"))
                .hasMessage("the reply body is shorter than its Content-Length 10");
        assertThatThrownBy(() -> parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"))
                .hasMessage("bad chunk size \"zz\"");
    }
}
