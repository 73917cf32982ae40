package dev.weft.daemon;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** weftd's --docker-* options: combinations that cannot work are refused with one line and exit 2, before anything starts. */
class WeftdDockerOptionsTest {
    private static final String ETCD = "etcd://192.0.2.10:2379";

    /** weftd's exit code and what it wrote to stderr. */
    private static String refusal(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            exit = new CommandLine(new WeftdMain()).execute(args);
        } finally {
            System.setErr(old);
        }
        assertThat(exit).as(String.join(" ", args)).isEqualTo(2);
        String text = err.toString(StandardCharsets.UTF_8).trim();
        assertThat(text.lines().count()).as("one line: " + text).isOne();
        return text;
    }

    @Test
    void refusesDockerOptionsThatCannotWork() {
        assertThat(refusal("--docker-scope", "local")).contains("need --plugin-socket");
        assertThat(refusal("--docker-dns", "192.0.2.1")).contains("need --plugin-socket");
        assertThat(refusal("--plugin-socket", "/nonexistent/weft.sock", "--docker-scope", "sideways"))
                .contains("invalid --docker-scope \"sideways\"");
        assertThat(refusal("--plugin-socket", "/nonexistent/weft.sock", "--docker-scope", "global"))
                .contains("--docker-scope global needs --kv-store");
        assertThat(refusal("--plugin-socket", "/nonexistent/weft.sock", "--docker-dns", "192.0.2.1", "--kv-store", ETCD))
                .contains("need --docker-scope local");
        assertThat(refusal("--plugin-socket", "/nonexistent/weft.sock", "--docker-scope", "local", "--docker-dns", "192.0.2.1"))
                .contains("--docker-dns needs --kv-store");
        assertThat(refusal("--plugin-socket", "/nonexistent/weft.sock", "--docker-scope", "local", "--kv-store", ETCD,
                "--docker-dns", "not-an-address")).startsWith("weftd: --docker-dns:");
    }
}
