package dev.weft.cli;

import dev.weft.commandmodels.ModelDifferences;
import org.junit.jupiter.api.Test;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command models generated at compile time (CommandModels) against the ones picocli builds by
 * reflection from the same annotations: every command's attributes and every option's and
 * positional parameter's properties, the usage help, the bash completion script and the man pages
 * (as scripts/package makes them) must be the same.
 */
class CommandModelsTest {
    private static CommandLine generated() {
        return CommandTree.build(new WeftCli(), new String[0], false);
    }

    private static CommandLine reflective() {
        return CommandTree.build(new WeftCli(), new String[0], true);
    }

    @Test
    void everyCommandHasTheAttributesAndArgumentsReflectionGives() {
        assertThat(commands(generated())).isGreaterThan(25);
        assertThat(ModelDifferences.between(generated(), reflective())).isEmpty();
    }

    @Test
    void completionAndManPagesAreTheSameAsFromReflection() throws Exception {
        assertThat(AutoComplete.bash("weft", generated())).isEqualTo(AutoComplete.bash("weft", reflective()));
        Path dir = Files.createTempDirectory("weft-man");
        try {
            Path e = Files.createDirectory(dir.resolve("reflective"));
            Path a = Files.createDirectory(dir.resolve("generated"));
            assertThat(ManPageGenerator.generateManPage(e.toFile(), null, new boolean[0], true, reflective().getCommandSpec())).isZero();
            assertThat(ManPageGenerator.generateManPage(a.toFile(), null, new boolean[0], true, generated().getCommandSpec())).isZero();
            Map<String, String> expected = pages(e);
            assertThat(expected).hasSizeGreaterThan(25);
            assertThat(pages(a)).isEqualTo(expected);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted((x, y) -> y.compareTo(x)).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    @Test
    void aCommandLineBuildsOnlyGeneratedModelsAndSetsParents() {
        CommandLine cl = CommandTree.build(new WeftCli(), new String[] {"network", "ls"});
        CommandLine ls = cl.getSubcommands().get("network").getSubcommands().get("ls");
        NetworkCommand.Ls command = ls.getCommand();
        assertThat(command.spec).isSameAs(ls.getCommandSpec());
        assertThat(command.network).isSameAs(cl.getSubcommands().get("network").getCommand());
        assertThat(command.network.weft).isSameAs(cl.getCommand());
        // the inherited -H reaches the root's field from the subcommand
        cl.parseArgs("network", "ls", "-H", "unix:///tmp/x.sock");
        assertThat(command.network.weft.host).isEqualTo("unix:///tmp/x.sock");
    }

    @Test
    void aGroupWithoutItsSubcommandIsAUsageError() {
        for (String group : List.of("network", "service", "cni")) {
            java.io.StringWriter err = new java.io.StringWriter();
            int exit = WeftCli.run(new String[] {group}, new java.io.PrintWriter(java.io.Writer.nullWriter()),
                    new java.io.PrintWriter(err, true));
            assertThat(exit).as(group).isEqualTo(2);
            assertThat(err.toString()).as(group).isEqualTo("weft: Missing required subcommand" + System.lineSeparator()
                    + "(see 'weft " + group + " --help')" + System.lineSeparator());
        }
    }

    /** How many commands the tree has. */
    private static int commands(CommandLine cl) {
        int n = 1;
        for (CommandLine sub : new java.util.LinkedHashSet<>(cl.getSubcommands().values())) {
            n += commands(sub);
        }
        return n;
    }

    private static Map<String, String> pages(Path dir) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                out.put(f.getFileName().toString(), Files.readString(f));
            }
        }
        return out;
    }
}
