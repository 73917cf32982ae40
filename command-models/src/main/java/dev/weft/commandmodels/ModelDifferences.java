package dev.weft.commandmodels;

import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Where a command tree built from generated models differs from the one picocli builds by
 * reflection from the same annotations: every command's attributes, subcommands and usage help,
 * and every option's and positional parameter's properties. The tests of the modules whose
 * commands are generated ask for none; nothing at run time uses it.
 */
public final class ModelDifferences {
    private static final List<String> ARG_PROPERTIES = List.of("paramLabel", "hideParamSyntax", "arity", "required",
            "description", "descriptionKey", "defaultValue", "splitRegex", "splitRegexSynopsisLabel", "hidden",
            "inherited", "showDefaultValue", "scopeType", "type", "auxiliaryTypes", "hasInitialValue", "initialValue",
            "interactive", "echo", "prompt", "mapFallbackValue", "toString", "isMultiValue", "isOption",
            "isPositional", "completionCandidates");
    private static final List<String> OPTION_PROPERTIES = List.of("names", "longestName", "shortestName", "help",
            "usageHelp", "versionHelp", "negatable", "fallbackValue", "order");
    private static final List<String> POSITIONAL_PROPERTIES = List.of("index");

    private ModelDifferences() {
    }

    /** Every difference, one line each; empty when the two trees are the same. */
    public static List<String> between(CommandLine generated, CommandLine reflective) {
        List<String> out = new ArrayList<>();
        Map<String, CommandLine> expected = commands(reflective);
        Map<String, CommandLine> actual = commands(generated);
        compare(out, "commands", actual.keySet(), expected.keySet());
        for (String name : expected.keySet()) {
            if (!actual.containsKey(name)) {
                continue;
            }
            CommandSpec e = expected.get(name).getCommandSpec();
            CommandSpec a = actual.get(name).getCommandSpec();
            compare(out, name + " aliases", a.aliases(), e.aliases());
            compare(out, name + " version", a.version(), e.version());
            compare(out, name + " standard help", a.mixinStandardHelpOptions(), e.mixinStandardHelpOptions());
            compare(out, name + " mixins", a.mixins().keySet(), e.mixins().keySet());
            compare(out, name + " description", a.usageMessage().description(), e.usageMessage().description());
            compare(out, name + " subcommands", a.subcommands().keySet(), e.subcommands().keySet());
            arguments(out, name, a.options(), e.options(), OPTION_PROPERTIES);
            arguments(out, name, a.positionalParameters(), e.positionalParameters(), POSITIONAL_PROPERTIES);
            compare(out, name + " usage", actual.get(name).getUsageMessage(CommandLine.Help.Ansi.OFF),
                    expected.get(name).getUsageMessage(CommandLine.Help.Ansi.OFF));
        }
        return out;
    }

    private static void arguments(List<String> out, String command, List<? extends ArgSpec> actual,
            List<? extends ArgSpec> expected, List<String> kindProperties) {
        if (actual.size() != expected.size()) {
            out.add(command + ": " + actual.size() + " arguments generated, " + expected.size() + " by reflection");
            return;
        }
        for (int i = 0; i < expected.size(); i++) {
            ArgSpec e = expected.get(i);
            String what = command + " " + (e instanceof OptionSpec o ? o.longestName() : e.paramLabel());
            properties(out, what, actual.get(i), e, ARG_PROPERTIES);
            properties(out, what, actual.get(i), e, kindProperties);
        }
    }

    private static void properties(List<String> out, String what, ArgSpec actual, ArgSpec expected, List<String> names) {
        for (String p : names) {
            Method m = method(expected.getClass(), p);
            Object e = value(m, expected);
            Object a = value(m, actual);
            if (p.equals("completionCandidates")) {
                e = e == null ? null : list((Iterable<?>) e);
                a = a == null ? null : list((Iterable<?>) a);
            }
            compare(out, what + " " + p, a, e);
        }
    }

    private static void compare(List<String> out, String what, Object actual, Object expected) {
        Object a = actual instanceof Iterable<?> i && !(actual instanceof List<?>) ? list(i) : actual;
        Object e = expected instanceof Iterable<?> i && !(expected instanceof List<?>) ? list(i) : expected;
        if (!Arrays.deepEquals(new Object[] {a}, new Object[] {e})) {
            out.add(what + ": generated " + Arrays.deepToString(new Object[] {a}) + ", reflection "
                    + Arrays.deepToString(new Object[] {e}));
        }
    }

    private static Method method(Class<?> c, String name) {
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            for (Method m : k.getDeclaredMethods()) {
                if (m.getName().equals(name) && m.getParameterCount() == 0) {
                    m.setAccessible(true);
                    return m;
                }
            }
        }
        throw new IllegalArgumentException("picocli has no " + c.getName() + "." + name + "()");
    }

    private static Object value(Method m, Object target) {
        try {
            return m.invoke(target);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("reading " + m.getName() + ": " + e, e);
        }
    }

    private static List<Object> list(Iterable<?> values) {
        List<Object> out = new ArrayList<>();
        values.forEach(out::add);
        return out;
    }

    /** Every command of the tree by its qualified name. */
    private static Map<String, CommandLine> commands(CommandLine root) {
        Map<String, CommandLine> out = new LinkedHashMap<>();
        collect(root, out);
        return out;
    }

    private static void collect(CommandLine cl, Map<String, CommandLine> out) {
        out.put(cl.getCommandSpec().qualifiedName(), cl);
        for (CommandLine sub : new LinkedHashSet<>(cl.getSubcommands().values())) {
            collect(sub, out);
        }
    }
}
