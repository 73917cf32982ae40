package dev.weft.engine.plugin;

import dev.weft.engine.WeftException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Finding plugins as Docker's v1 registry does, and reading HTTP replies, without a kernel. */
class PluginDiscoveryTest {
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
        assertThat(discovery().address("a")).isEqualTo(new PluginAddress.Unix(dir.resolve("run/a.sock")));
        assertThat(discovery().address("b")).isEqualTo(new PluginAddress.Unix(dir.resolve("run/b/b.sock")));
    }

    @Test
    void specAndJsonFilesGiveUnixAddresses() throws IOException {
        write("etc/s.spec", "  unix:///run/s/s.sock\n");
        write("lib/j/j.json", "{\"Name\": \"j\", \"Addr\": \"unix:///run/j.sock\", \"TLSConfig\": null}");
        assertThat(discovery().address("s")).isEqualTo(new PluginAddress.Unix(Path.of("/run/s/s.sock")));
        assertThat(discovery().address("j")).isEqualTo(new PluginAddress.Unix(Path.of("/run/j.sock")));
    }

    @Test
    void tcpAndHttpAddressesArePlainHttpAndHttpsAddressesTls() throws IOException {
        write("etc/t.spec", "tcp://127.0.0.1:8080\n");
        write("etc/v6.spec", "tcp://[::1]:9");
        write("etc/p.json", "{\"Name\": \"p\", \"Addr\": \"tcp://plugins.example:80\"}");
        write("etc/s/s.json", "{\"Name\": \"s\", \"Addr\": \"https://10.0.0.1:443\", \"TLSConfig\": {\"CAFile\": \"/ca.pem\","
                + " \"CertFile\": \"/c.pem\", \"KeyFile\": \"/k.pem\"}}");
        write("etc/i.json", "{\"Addr\": \"https://10.0.0.1:443\", \"TLSConfig\": {\"InsecureSkipVerify\": true, \"CAFile\": \"\"}}");
        write("etc/plain.json", "{\"Addr\": \"tcp://10.0.0.1:80\", \"TLSConfig\": {\"InsecureSkipVerify\": true}}");
        write("etc/h.spec", "http://10.0.0.1:80");
        write("etc/hs.spec", "https://10.0.0.1:443");
        assertThat(discovery().address("t")).isEqualTo(new PluginAddress.Tcp("127.0.0.1", 8080, null));
        assertThat(discovery().address("v6")).isEqualTo(new PluginAddress.Tcp("::1", 9, null));
        assertThat(discovery().address("p")).isEqualTo(new PluginAddress.Tcp("plugins.example", 80, null));
        assertThat(discovery().address("s")).isEqualTo(new PluginAddress.Tcp("10.0.0.1", 443,
                new PluginAddress.Tls(false, Path.of("/ca.pem"), Path.of("/c.pem"), Path.of("/k.pem"))));
        assertThat(discovery().address("i")).isEqualTo(new PluginAddress.Tcp("10.0.0.1", 443,
                new PluginAddress.Tls(true, null, null, null)));
        assertThat(discovery().address("plain")).as("tcp:// is plain HTTP, as in Docker")
                .isEqualTo(new PluginAddress.Tcp("10.0.0.1", 80, null));
        assertThat(discovery().address("h")).isEqualTo(new PluginAddress.Tcp("10.0.0.1", 80, null));
        assertThat(discovery().address("hs")).isEqualTo(new PluginAddress.Tcp("10.0.0.1", 443,
                new PluginAddress.Tls(false, null, null, null)));
    }

    @Test
    void malformedAddressesAndBadSpecsAreRefusedClearly() throws IOException {
        Path noPort = write("etc/t.spec", "tcp://127.0.0.1");
        assertThatThrownBy(() -> discovery().address("t")).isInstanceOf(WeftException.class).hasMessage(
                "plugin address \"tcp://127.0.0.1\" needs a host and a port (tcp://HOST:PORT) (in " + noPort
                        + ", network plugin t)");
        Path scheme = write("etc/h.spec", "ftp://127.0.0.1:80");
        assertThatThrownBy(() -> discovery().address("h")).isInstanceOf(WeftException.class).hasMessage(
                "plugin address \"ftp://127.0.0.1:80\": ftp:// is not supported, only unix://PATH, tcp:// or http://HOST:PORT,"
                        + " and https://HOST:PORT (in " + scheme + ", network plugin h)");
        write("etc/o.json", "{\"Addr\": \"tcp://127.0.0.1:80\", \"TLSConfig\": {\"CertFile\": \"/c.pem\"}}");
        assertThatThrownBy(() -> discovery().address("o")).hasMessageContaining(
                "\"TLSConfig\" needs both \"CertFile\" and \"KeyFile\" for a client certificate, or neither");
        write("etc/b.json", "{\"Addr\": \"tcp://127.0.0.1:80\", \"TLSConfig\": {\"InsecureSkipVerify\": \"yes\"}}");
        assertThatThrownBy(() -> discovery().address("b")).hasMessageContaining("\"InsecureSkipVerify\" is not true or false");
        write("etc/n.spec", "/run/n.sock");
        assertThatThrownBy(() -> discovery().address("n")).hasMessageContaining("has no scheme (unix://PATH, tcp://HOST:PORT or https://HOST:PORT)");
        write("etc/x.json", "{\"Name\": \"x\"}");
        assertThatThrownBy(() -> discovery().address("x")).hasMessageContaining("has no \"Addr\"");
        assertThatThrownBy(() -> discovery().address("../x")).hasMessage("invalid plugin name \"../x\"");
    }

    @Test
    void aMissingPluginNamesEveryPlaceLookedAt() {
        assertThatThrownBy(() -> discovery().address("gone"))
                .satisfies(e -> assertThat(((WeftException) e).kind()).isEqualTo(WeftException.Kind.NOT_FOUND))
                .hasMessageContaining(dir.resolve("run/gone.sock").toString())
                .hasMessageContaining(dir.resolve("run/gone/gone.sock").toString())
                .hasMessageContaining(dir.resolve("lib/gone/gone.json").toString());
    }
}
