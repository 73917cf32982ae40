package dev.weft.engine;

import dev.weft.linux.TestNamespaces;
import dev.weft.linux.netns.Netns;
import dev.weft.testkit.RunDir;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's example is this module's compiled ReadmeExample, and it prints what it says. */
class ReadmeExampleTest {

    @Test
    void theReadmeShowsTheCompiledExampleAndItRuns() throws Exception {
        List<String> source = Files.readAllLines(Path.of("src/test/java/dev/weft/engine/ReadmeExample.java"));
        int begin = source.indexOf("        // README-BEGIN");
        int end = source.indexOf("        // README-END");
        assertThat(begin).isPositive();
        assertThat(end).isGreaterThan(begin);
        StringBuilder snippet = new StringBuilder();
        for (String line : source.subList(begin + 1, end)) {
            snippet.append(line.length() >= 8 ? line.substring(8) : line.strip()).append('\n');
        }
        String readme = Files.readString(Path.of("..", "README.md"));
        assertThat(readme).as("README.md shows ReadmeExample's code between the markers").contains(snippet);

        try (TestNamespaces namespaces = new TestNamespaces(); RunDir runDir = new RunDir()) {
            Netns host = namespaces.create("readme");
            assertThat(ReadmeExample.run(runDir.path(), runDir.path(), host)).isEqualTo("02:42:c0:00:02:02 192.0.2.2/24");
        }
    }
}
