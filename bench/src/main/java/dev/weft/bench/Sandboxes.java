package dev.weft.bench;

import dev.weft.linux.netns.Namespaces;
import dev.weft.linux.netns.Netns;
import dev.weft.testkit.RunDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Every namespace and file the benchmark makes, named "wtb-PID-..." so that leftovers of a
 * killed run can be recognised and swept. Deleting a namespace removes the links inside it, and
 * the host end of a veth goes with its container end, so removing our namespaces leaks nothing.
 * {@link #removeAll} runs from the main thread's finally block and from a shutdown hook (Ctrl-C).
 */
final class Sandboxes implements AutoCloseable {
    static final String PREFIX = "wtb-";
    private static final Pattern OURS = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-.*");

    private final Namespaces namespaces = new Namespaces();
    private final String owner = PREFIX + ProcessHandle.current().pid() + "-";
    private final Set<String> names = ConcurrentHashMap.newKeySet();
    private final Thread hook = new Thread(this::removeAll, "wtb-cleanup");
    private final Path dir;
    private boolean hooked;

    Sandboxes() throws IOException {
        dir = Files.createTempDirectory(owner);
        Runtime.getRuntime().addShutdownHook(hook);
        hooked = true;
    }

    /** What a benchmark does with its namespaces and the controller run directory among them. */
    interface Body {
        void run(Sandboxes sandboxes, Path runDir) throws Exception;
    }

    /**
     * Runs {@code body} with fresh namespaces (stale ones swept first), unmounts its run
     * directory, checks that no namespace is left and exits: 0, or 1 after a failure or a leak.
     */
    static void runAndExit(Body body) {
        int status;
        try (Sandboxes sandboxes = new Sandboxes()) {
            sandboxes.sweepStale();
            Path runDir = sandboxes.dir().resolve("weft-run");
            try {
                body.run(sandboxes, runDir);
            } finally {
                RunDir.unmountAll(runDir);
            }
            status = sandboxes.finish();
        } catch (Exception e) {
            e.printStackTrace();
            status = 1;
        }
        System.exit(status);
    }

    /** Directory for scratch files (batch files); removed with everything else. */
    Path dir() {
        return dir;
    }

    /** Creates namespace "wtb-PID-label" and returns it open; remembered for cleanup. */
    Netns create(String label) {
        String name = owner + label;
        names.add(name);
        return namespaces.create(name);
    }

    /** Closes the handle and removes the namespace (untimed; the kernel frees it in the background). */
    void dispose(Netns ns) {
        ns.close();
        namespaces.delete(ns.name());
        names.remove(ns.name());
    }

    /** Removes namespaces and scratch directories left by runs whose process is gone; returns their names. */
    List<String> sweepStale() {
        List<String> swept = new ArrayList<>();
        for (String name : namespaces.list()) {
            if (isStale(name) && namespaces.delete(name)) {
                swept.add(name);
            }
        }
        try (Stream<Path> tmp = Files.list(dir.getParent())) {
            for (Path p : tmp.filter(p -> isStale(p.getFileName().toString()) && Files.isDirectory(p)).toList()) {
                deleteTree(p);
                swept.add(p.toString());
            }
        } catch (IOException e) {
            System.err.println("wtb: cannot sweep " + dir.getParent() + ": " + e.getMessage());
        }
        return swept;
    }

    private static boolean isStale(String name) {
        Matcher m = OURS.matcher(name);
        return m.matches() && !isAlive(m.group(1));
    }

    private static boolean isAlive(String pid) {
        try {
            return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return true; // not a pid we wrote: leave it alone
        }
    }

    /** Removes every namespace and file this run made; safe to call twice and from a shutdown hook. */
    synchronized void removeAll() {
        List<String> failures = new ArrayList<>();
        for (String name : List.copyOf(names)) {
            try {
                namespaces.delete(name);
                names.remove(name);
            } catch (RuntimeException e) {
                failures.add(name + ": " + e.getMessage());
            }
        }
        try {
            deleteTree(dir);
        } catch (IOException | RuntimeException e) {
            failures.add(dir + ": " + e.getMessage());
        }
        if (!failures.isEmpty()) {
            System.err.println("wtb: cleanup left behind: " + String.join("; ", failures));
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The namespaces of this run still present (for the leak check at the end). */
    /** Removes everything, reports on stderr whether any wtb namespace is left; the exit status (0: none). */
    int finish() {
        removeAll();
        List<String> left = leftovers();
        System.err.println(left.isEmpty() ? "leak check: no wtb namespaces left" : "LEAK: " + left);
        return left.isEmpty() ? 0 : 1;
    }

    List<String> leftovers() {
        return namespaces.list().stream().filter(n -> n.startsWith(owner)).toList();
    }

    @Override
    public void close() {
        removeAll();
        if (hooked) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is already running or has run
            }
            hooked = false;
        }
    }
}
