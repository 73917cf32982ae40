package dev.weft.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds weft's picocli command tree, but only the branch a command line names. picocli reads
 * every command class it is given by reflection, and its classes (compiled for Java 5) cannot
 * go into the JDK's AOT cache, so reading all of weft's 25 commands took longer than the rest of
 * a short command's run. {@code weft network ls} builds weft, network and ls; help, completion
 * and command lines that name nothing known build the whole tree, so help and errors are as
 * complete as ever.
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
        List<String> words = words(args);
        boolean whole = words.isEmpty() || words.getFirst().equals("help") || words.getFirst().equals("completion");
        return build(root, words, 0, whole);
    }

    private static CommandLine build(Object command, List<String> words, int depth, boolean whole) {
        CommandLine cl = new CommandLine(command);
        if (command instanceof Group group) {
            String word = depth < words.size() ? words.get(depth) : null;
            List<Class<?>> named = whole ? List.of() : group.children().stream().filter(c -> names(c).contains(word)).toList();
            boolean all = whole || named.isEmpty();
            for (Class<?> child : all ? group.children() : named) {
                cl.addSubcommand(build(instantiate(child), words, depth + 1, all));
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
        Command command = c.getAnnotation(Command.class);
        List<String> names = new ArrayList<>(List.of(command.aliases()));
        names.add(command.name());
        return names;
    }

    private static Object instantiate(Class<?> c) {
        try {
            var constructor = c.getDeclaredConstructor();
            constructor.setAccessible(true);
            return constructor.newInstance();
        } catch (NoSuchMethodException | InstantiationException | IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot create command " + c.getName(), e);
        }
    }
}
