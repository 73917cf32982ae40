package dev.weft.testkit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** bin/lib/java.sh finds a JDK >= 25: JAVA_HOME first, then the JVM directory, else one clear message. */
class LaunchScriptTest {
    private static final Path SCRIPT = Path.of("..", "bin", "lib", "java.sh").toAbsolutePath().normalize();
    private static final String CURRENT = Path.of(System.getProperty("java.home")).toString();

    record Result(int exit, String out, String err) {
    }

    private static Result source(Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", ". \"$0\" && echo \"$JAVA_HOME\"", SCRIPT.toString());
        pb.environment().remove("JAVA_HOME");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return new Result(p.waitFor(), out, err);
    }

    @Test
    void javaHomeWinsWhenItIsRecentEnough() throws Exception {
        Result r = source(Map.of("JAVA_HOME", CURRENT));
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo(CURRENT);
    }

    @Test
    void anOldJavaHomeFallsBackToTheJvmDirectory(@TempDir Path jvms) throws Exception {
        Files.createSymbolicLink(jvms.resolve("jdk-25"), Path.of(CURRENT));
        Path old = jvms.resolve("old");
        Files.createDirectories(old.resolve("bin"));
        Path fake = old.resolve("bin/java");
        Files.writeString(fake, "#!/bin/sh\necho '    java.specification.version = 17' >&2\n");
        fake.toFile().setExecutable(true);
        Result r = source(Map.of("JAVA_HOME", old.toString(), "WEFT_JVM_ROOT", jvms.toString()));
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo(jvms.resolve("jdk-25").toString());
        assertThat(r.err()).contains("is Java 17");
    }

    @Test
    void noJdkGivesOneClearMessage(@TempDir Path empty) throws Exception {
        Result r = source(Map.of("WEFT_JVM_ROOT", empty.toString()));
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).startsWith("weft: no JDK 25 or newer found").contains("JAVA_HOME").contains(empty.toString());
    }
}
