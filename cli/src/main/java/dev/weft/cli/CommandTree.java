package dev.weft.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds weft's picocli command tree, but only the branch a command line names: {@code weft
 * network ls} builds weft, network and ls; help, completion and command lines that name nothing
 * known build the whole tree, so help and errors are as complete as ever. Each command's model
 * comes from {@link CommandModels}, generated from the picocli annotations at compile time, so no
 * annotation is read at run time; only picocli's own help subcommand, which has no generated
 * model, is read by reflection (in the whole tree alone). {@code reflective} builds every model
 * by picocli's reflection instead, for the test that compares the two.
 */
final class CommandTree {
    /** A command with subcommands: the classes of its children. */
    interface Group {
        List<Class<?>> children();
    }

    private CommandTree() {
    }

    /** The tree for {@code args}, rooted at {@code root}. */
    static CommandLine build(Object root, String[] args) {
        return build(root, args, false);
    }

    static CommandLine build(Object root, String[] args, boolean reflective) {
        List<String> words = words(args);
        boolean whole = words.isEmpty() || words.getFirst().equals("help") || words.getFirst().equals("completion");
        return build(root, words, 0, whole, reflective);
    }

    private static CommandLine build(Object command, List<String> words, int depth, boolean whole, boolean reflective) {
        CommandSpec spec = reflective ? null : CommandModels.spec(command);
        CommandLine cl = new CommandLine(spec != null ? spec : command);
        if (command instanceof Group group) {
            String word = depth < words.size() ? words.get(depth) : null;
            List<Class<?>> named = whole ? List.of() : group.children().stream()
                    .filter(c -> word != null && names(c).contains(word)).limit(1).toList();
            boolean all = whole || named.isEmpty();
            for (Class<?> child : all ? group.children() : named) {
                Object sub = instantiate(child);
                cl.addSubcommand(build(sub, words, depth + 1, all, reflective));
                if (!reflective) {
                    CommandModels.parent(sub, command);
                }
            }
        }
        return cl;
    }

    /** The words of a command line that are not options, skipping the value of -H/--host. */
    static List<String> words(String[] args) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                break;
            }
            if (a.equals("-H") || a.equals("--host")) {
                i++;
            } else if (!a.startsWith("-")) {
                out.add(a);
            }
        }
        return out;
    }

    private static List<String> names(Class<?> c) {
        String[] generated = CommandModels.names(c);
        if (generated != null) {
            return List.of(generated);
        }
        Command command = c.getAnnotation(Command.class);
        List<String> names = new ArrayList<>(List.of(command.aliases()));
        names.add(command.name());
        return names;
    }

    private static Object instantiate(Class<?> c) {
        Object generated = CommandModels.create(c);
        if (generated != null) {
            return generated;
        }
        try {
            var constructor = c.getDeclaredConstructor();
            constructor.setAccessible(true);
            return constructor.newInstance();
        } catch (NoSuchMethodException | InstantiationException | IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot create command " + c.getName(), e);
        }
    }
}
