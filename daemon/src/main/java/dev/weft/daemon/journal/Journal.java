package dev.weft.daemon.journal;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * weftd's intent journal: every multi-step operation writes an {@link Intent} before its first
 * step and deletes it after its last, so an entry still here at start-up names an operation a
 * crash interrupted. {@link #replay} hands each to its owner, which finishes or undoes it by
 * names and ids (idempotently: a crash during replay replays it again), and only then deletes it.
 * Entries are files in RUNDIR/intents, each written to a temporary name and renamed, so a reader
 * sees a whole entry or none.
 */
public final class Journal {
    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;
    private final AtomicLong next = new AtomicLong(System.currentTimeMillis() * 1000);

    public Journal(Path runDir) {
        this.dir = runDir.resolve("intents");
    }

    /** An operation under way: its entry, rewritten as it records progress, deleted at its end. */
    public final class Entry implements AutoCloseable {
        private final Path file;
        private Intent intent;

        private Entry(Path file, Intent intent) {
            this.file = file;
            this.intent = intent;
        }

        public Intent intent() {
            return intent;
        }

        /** Records that a step is done (before the crash that would otherwise lose it matters). */
        public void note(String key, String value) {
            intent = intent.with(key, value);
            write(file, intent);
        }

        /** The operation ended, done or rolled back in process: nothing is left to replay. */
        @Override
        public void close() {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete intent " + file, e);
            }
        }
    }

    /** Records {@code intent} before the operation's first step. */
    public Entry begin(Intent intent) {
        Path file = dir.resolve(String.format("%020d-%s.json", next.incrementAndGet(), intent.op()));
        write(file, intent);
        return new Entry(file, intent);
    }

    /**
     * Runs {@code operation} under {@code intent}: recorded first, deleted when the operation
     * returns or fails with its in-process rollback complete. A rollback that itself failed (its
     * failures are suppressed in the error) leaves the entry, for the next start to finish.
     */
    public <T> T run(Intent intent, Function<Entry, T> operation) {
        Entry entry = begin(intent);
        T result;
        try {
            result = operation.apply(entry);
        } catch (RuntimeException e) {
            if (e.getSuppressed().length == 0) {
                entry.close();
            }
            throw e;
        }
        entry.close();
        return result;
    }

    /** Every entry left by an earlier weftd, oldest first. */
    public List<Intent> pending() {
        List<Intent> out = new ArrayList<>();
        for (Path f : files()) {
            out.add(read(f));
        }
        return out;
    }

    /**
     * Finishes or undoes every leftover entry, oldest first, with the handler registered for its
     * op; deletes an entry once its handler returned. A handler that fails leaves its entry for
     * the next start and is logged; the others still run.
     */
    public int replay(Map<String, Consumer<Intent>> handlers) {
        int done = 0;
        for (Path f : files()) {
            Intent intent = read(f);
            Consumer<Intent> handler = handlers.get(intent.op());
            if (handler == null) {
                LOG.warn("intent {} has an unknown operation {}; left in place", f, intent.op());
                continue;
            }
            try {
                handler.accept(intent);
                Files.deleteIfExists(f);
                done++;
                LOG.info("recovered interrupted {} {}", intent.op(), intent.args());
            } catch (RuntimeException | IOException e) {
                LOG.warn("cannot recover interrupted {} {}: {}", intent.op(), intent.args(), e.toString());
            }
        }
        return done;
    }

    private List<Path> files() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> all = s.sorted().toList();
            for (Path p : all) {
                if (p.getFileName().toString().endsWith(".tmp")) {
                    Files.deleteIfExists(p); // a write the crash cut short: its operation had not begun
                }
            }
            return all.stream().filter(p -> p.getFileName().toString().endsWith(".json")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list intents in " + dir, e);
        }
    }

    private void write(Path file, Intent intent) {
        try {
            Files.createDirectories(dir);
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, JSON.writeValueAsBytes(intent));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record intent " + intent.op() + " in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static Intent read(Path f) {
        try {
            return JSON.readValue(f.toFile(), Intent.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read intent " + f, e);
        }
    }
}
