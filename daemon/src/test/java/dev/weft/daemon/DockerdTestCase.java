package dev.weft.daemon;

import dev.weft.testkit.RunDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Tests with real dockerd hosts ({@link DockerHost}): skipped where docker.io or busybox-static
 * is missing; a run directory, and Docker's plugin directories made for the test and removed after.
 */
abstract class DockerdTestCase {
    protected final RunDir runDir = new RunDir();
    private List<Path> madeDirs = List.of();

    @BeforeEach
    void startDockerdTest() throws Exception {
        assumeTrue(DockerHost.available(), "needs docker.io and busybox-static");
        madeDirs = DockerHost.pluginDirs();
    }

    @AfterEach
    void stopDockerdTest() throws Exception {
        for (Path p : madeDirs) {
            Files.deleteIfExists(p);
        }
        runDir.close();
    }
}
