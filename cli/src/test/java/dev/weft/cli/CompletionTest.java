package dev.weft.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class CompletionTest {
    @Test
    void theBashScriptCompletesCommandsAndParsesInBash() throws Exception {
        StringWriter out = new StringWriter();
        int exit = WeftCli.run(new String[] {"completion"}, new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
        assertThat(exit).isZero();
        String script = out.toString();
        assertThat(script).contains("network").contains("service").contains("publish").contains("--subnet");
        Path file = Files.createTempFile("weft-completion", ".bash");
        try {
            Files.writeString(file, script);
            Process bash = new ProcessBuilder("bash", "-n", file.toString()).redirectErrorStream(true).start();
            String errors = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(bash.waitFor()).as(errors).isZero();
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
