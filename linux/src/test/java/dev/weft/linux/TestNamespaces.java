package dev.weft.linux;

import dev.weft.linux.netns.Namespaces;
import dev.weft.linux.netns.Netns;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Throwaway network namespaces for one test, named "wt" + a random suffix, all deleted on close
 * (use in try-with-resources or from @AfterEach so they go also when the test fails).
 */
public final class TestNamespaces implements AutoCloseable {
    private final Namespaces namespaces = new Namespaces();
    private final List<Netns> created = new ArrayList<>();

    /** A fresh namespace called "wt" + {@code label} + random digits. */
    public Netns create(String label) {
        Netns ns = namespaces.create(uniqueName(label));
        created.add(ns);
        return ns;
    }

    /** "wt" + label + a random suffix, short enough for a link name too. */
    public static String uniqueName(String label) {
        return "wt" + label + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 24, 1 << 30), 36);
    }

    public Namespaces namespaces() {
        return namespaces;
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (Netns ns : created.reversed()) {
            try {
                ns.close();
                namespaces.delete(ns.name());
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        created.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
