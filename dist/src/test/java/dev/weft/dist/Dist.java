package dev.weft.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * What scripts/package makes from the modules the reactor built before this one: made once per test
 * run (the first test that asks runs scripts/package) and shared by every test of this module.
 */
final class Dist {
    /** The repository: this module's parent directory. */
    static final Path REPO = Path.of("").toAbsolutePath().getParent();
    private static final Path OUT = REPO.resolve("target/package");
    private static boolean built;

    private Dist() {
    }

    /** Runs scripts/package unless this JVM already did; fails the test with its output if it fails. */
    static synchronized void build() throws Exception {
        if (built) {
            return;
        }
        Result r = run(REPO, 900, "scripts/package");
        if (r.exit() != 0) {
            throw new AssertionError("scripts/package failed (exit " + r.exit() + "):\n" + r.output());
        }
        built = true;
    }

    /** The .deb. */
    static Path deb() throws Exception {
        return one("weft_*_amd64.deb");
    }

    /** The OCI image archive of weftd. */
    static Path image() throws Exception {
        return one("weftd_*.oci.tar");
    }

    /** The image's tag: the package's version as Docker spells tags (0.1.0-snapshot for 0.1.0~snapshot). */
    static String version() throws Exception {
        String name = image().getFileName().toString();
        return name.substring("weftd_".length(), name.length() - ".oci.tar".length()).replace('~', '-').toLowerCase(Locale.ROOT);
    }

    private static Path one(String glob) throws Exception {
        build();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(OUT, glob)) {
            List<Path> found = new ArrayList<>();
            dir.forEach(found::add);
            if (found.size() != 1) {
                throw new AssertionError("expected one " + glob + " in " + OUT + ", found " + found);
            }
            return found.getFirst();
        }
    }

    /** What a command printed (stdout and stderr together) and its exit code. */
    record Result(int exit, String output) {
    }

    /** Runs {@code command} in {@code dir}; kills it after {@code timeoutSeconds}. */
    static Result run(Path dir, int timeoutSeconds, String... command) throws IOException, InterruptedException {
        Path log = Files.createTempFile("wtpkg", ".log");
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
            boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            if (!done) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor();
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            return new Result(done ? p.exitValue() : -1, done ? out : out + "\n(timed out after " + timeoutSeconds + " s)");
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
