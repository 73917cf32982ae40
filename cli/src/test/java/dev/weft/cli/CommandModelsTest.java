package dev.weft.cli;

import org.junit.jupiter.api.Test;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.codegen.docgen.manpage.ManPageGenerator;

import java.io.File;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
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
    private static final List<String> ARG_PROPERTIES = List.of("paramLabel", "hideParamSyntax", "arity", "required",
            "description", "descriptionKey", "defaultValue", "splitRegex", "splitRegexSynopsisLabel", "hidden",
            "inherited", "showDefaultValue", "scopeType", "type", "auxiliaryTypes", "hasInitialValue", "initialValue",
            "interactive", "echo", "prompt", "mapFallbackValue", "toString", "isMultiValue", "isOption",
            "isPositional", "completionCandidates");
    private static final List<String> OPTION_PROPERTIES = List.of("names", "longestName", "shortestName", "help",
            "usageHelp", "versionHelp", "negatable", "fallbackValue", "order");
    private static final List<String> POSITIONAL_PROPERTIES = List.of("index");

    private static CommandLine generated() {
        return CommandTree.build(new WeftCli(), new String[0], false);
    }

    private static CommandLine reflective() {
        return CommandTree.build(new WeftCli(), new String[0], true);
    }

    @Test
    void everyCommandHasTheAttributesAndArgumentsReflectionGives() throws Exception {
        Map<String, CommandLine> expected = commands(reflective());
        Map<String, CommandLine> actual = commands(generated());
        assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
        assertThat(expected).hasSizeGreaterThan(25);
        for (String name : expected.keySet()) {
            CommandSpec e = expected.get(name).getCommandSpec();
            CommandSpec a = actual.get(name).getCommandSpec();
            assertThat(a.aliases()).as(name + " aliases").containsExactly(e.aliases());
            assertThat(a.version()).as(name + " version").containsExactly(e.version());
            assertThat(a.mixinStandardHelpOptions()).as(name + " standard help").isEqualTo(e.mixinStandardHelpOptions());
            assertThat(a.mixins().keySet()).as(name + " mixins").containsExactlyElementsOf(e.mixins().keySet());
            assertThat(a.usageMessage().description()).as(name + " description").containsExactly(e.usageMessage().description());
            assertThat(a.subcommands().keySet()).as(name + " subcommands").containsExactlyElementsOf(e.subcommands().keySet());
            assertArguments(name, e.options(), a.options(), OPTION_PROPERTIES);
            assertArguments(name, e.positionalParameters(), a.positionalParameters(), POSITIONAL_PROPERTIES);
            assertThat(actual.get(name).getUsageMessage(CommandLine.Help.Ansi.OFF)).as(name + " usage")
                    .isEqualTo(expected.get(name).getUsageMessage(CommandLine.Help.Ansi.OFF));
        }
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

    private static void assertArguments(String command, List<? extends ArgSpec> expected, List<? extends ArgSpec> actual,
            List<String> kindProperties) throws Exception {
        assertThat(actual).as(command + " arguments").hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            ArgSpec e = expected.get(i);
            String what = command + " " + (e instanceof OptionSpec o ? o.longestName() : e.paramLabel());
            assertSame(what, e, actual.get(i), ARG_PROPERTIES);
            assertSame(what, e, actual.get(i), kindProperties);
        }
    }

    private static void assertSame(String what, ArgSpec expected, ArgSpec actual, List<String> properties) throws Exception {
        for (String p : properties) {
            Method m = findMethod(expected.getClass(), p);
            Object e = m.invoke(expected);
            Object a = m.invoke(actual);
            if (p.equals("completionCandidates") && e != null) {
                e = toList((Iterable<?>) e);
                a = a == null ? null : toList((Iterable<?>) a);
            }
            assertThat(Arrays.deepEquals(new Object[] {a}, new Object[] {e}))
                    .as("%s %s: generated %s, reflection %s", what, p, deep(a), deep(e)).isTrue();
        }
    }

    private static Method findMethod(Class<?> c, String name) throws NoSuchMethodException {
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            for (Method m : k.getDeclaredMethods()) {
                if (m.getName().equals(name) && m.getParameterCount() == 0) {
                    m.setAccessible(true);
                    return m;
                }
            }
        }
        throw new NoSuchMethodException(c.getName() + "." + name);
    }

    private static List<Object> toList(Iterable<?> values) {
        List<Object> out = new ArrayList<>();
        values.forEach(out::add);
        return out;
    }

    private static String deep(Object o) {
        return Arrays.deepToString(new Object[] {o});
    }

    /** Every command of the tree by its qualified name. */
    private static Map<String, CommandLine> commands(CommandLine root) {
        Map<String, CommandLine> out = new LinkedHashMap<>();
        collect(root, out);
        return out;
    }

    private static void collect(CommandLine cl, Map<String, CommandLine> out) {
        out.put(cl.getCommandSpec().qualifiedName(), cl);
        for (CommandLine sub : new java.util.LinkedHashSet<>(cl.getSubcommands().values())) {
            collect(sub, out);
        }
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
