package dev.weft.store;

import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The embedded store: one H2 MVStore file, committed after every change, so a killed process
 * finds every acknowledged change at the next start. Alongside the data it keeps the latest
 * changes as a log, from which watches replay. The file is locked while open: a second process
 * cannot open the same store.
 */
public final class LocalStore implements Store {
    static final int DEFAULT_LOG_LIMIT = 10_000;
    /**
     * MVStore's page cache, in MB (its default is 16): pages are read back from the file when
     * evicted. At 1000 endpoints the default cache held ~28000 pages, a quarter of weftd's heap.
     */
    private static final int CACHE_MB = 4;
    private static final String REVISION = "revision";

    private final MVStore mv;
    private final MVMap<String, byte[]> data;
    private final MVMap<Long, byte[]> log;
    private final MVMap<String, Long> meta;
    private final MVMap<String, Boolean> ephemeral;
    private final int logLimit;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<LocalWatch> watches = new CopyOnWriteArrayList<>();
    private long revision;

    private LocalStore(MVStore mv, int logLimit) {
        this.mv = mv;
        this.data = mv.openMap("data");
        this.log = mv.openMap("log");
        this.meta = mv.openMap("meta");
        this.ephemeral = mv.openMap("ephemeral");
        this.logLimit = logLimit;
        this.revision = meta.getOrDefault(REVISION, 0L);
        removeEphemeral(); // left by a process that died: its session is over
    }

    /** Opens (or creates) the store in {@code file}; fails clearly if another process holds it. */
    public static LocalStore open(Path file) {
        return open(file, DEFAULT_LOG_LIMIT);
    }

    static LocalStore open(Path file, int logLimit) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            return new LocalStore(new MVStore.Builder().fileName(file.toString()).autoCommitDisabled()
                    .cacheSize(CACHE_MB).open(), logLimit);
        } catch (MVStoreException e) {
            String reason = e.getMessage() != null && e.getMessage().contains("locked")
                    ? "it is in use by another process (is another weftd running on this data directory?)"
                    : e.getMessage();
            throw new StoreException("cannot open local store " + file + ": " + reason, e);
        } catch (java.io.IOException e) {
            throw new StoreException("cannot create directory for local store " + file + ": " + e.getMessage(), e);
        }
    }

    /** A store that lives in memory only, for tests and throwaway controllers. */
    public static LocalStore inMemory() {
        return new LocalStore(new MVStore.Builder().autoCommitDisabled().open(), DEFAULT_LOG_LIMIT);
    }

    @Override
    public Optional<KvEntry> get(String key) {
        byte[] raw = data.get(key);
        return raw == null ? Optional.empty() : Optional.of(decode(key, raw));
    }

    @Override
    public List<KvEntry> list(String prefix) {
        List<KvEntry> out = new ArrayList<>();
        for (Cursor<String, byte[]> c = data.cursor(prefix); c.hasNext(); ) {
            String key = c.next();
            if (!key.startsWith(prefix)) {
                break;
            }
            out.add(decode(key, c.getValue()));
        }
        return out;
    }

    @Override
    public KvEntry put(String key, byte[] value) {
        return write(key, value, -1);
    }

    @Override
    public KvEntry putIfVersion(String key, byte[] value, long expectedVersion) {
        return write(key, value, expectedVersion);
    }

    /** The local store has one client, so its session is the store's lifetime in this process. */
    @Override
    public KvEntry putEphemeral(String key, byte[] value) {
        return write(key, value, -1, true);
    }

    private KvEntry write(String key, byte[] value, long expected) {
        return write(key, value, expected, false);
    }

    private KvEntry write(String key, byte[] value, long expected, boolean ephemeralEntry) {
        validate(key);
        lock.lock();
        try {
            if (expected >= 0) {
                check(key, expected);
            }
            if (ephemeralEntry) {
                ephemeral.put(key, Boolean.TRUE);
            } else {
                ephemeral.remove(key);
            }
            long rev = revision + 1;
            data.put(key, ByteBuffer.allocate(8 + value.length).putLong(rev).put(value).array());
            KvEntry entry = new KvEntry(key, value, rev);
            record(rev, new StoreEvent.Put(entry));
            return entry;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean delete(String key) {
        lock.lock();
        try {
            return remove(key);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void deleteIfVersion(String key, long expectedVersion) {
        lock.lock();
        try {
            check(key, expectedVersion);
            remove(key);
        } finally {
            lock.unlock();
        }
    }

    private boolean remove(String key) {
        if (!data.containsKey(key)) {
            return false;
        }
        data.remove(key);
        ephemeral.remove(key);
        long rev = revision + 1;
        record(rev, new StoreEvent.Deleted(key, rev));
        return true;
    }

    private void check(String key, long expected) {
        byte[] raw = data.get(key);
        long actual = raw == null ? 0 : ByteBuffer.wrap(raw).getLong();
        if (actual != expected) {
            throw new VersionConflictException(key, expected, actual);
        }
    }

    /** Appends the change to the log, commits it with the data, then hands it to the watches. */
    private void record(long rev, StoreEvent event) {
        log.put(rev, encodeEvent(event));
        while (log.size() > logLimit) {
            log.remove(log.firstKey());
        }
        meta.put(REVISION, rev);
        mv.commit();
        revision = rev;
        for (LocalWatch w : watches) {
            w.offer(event);
        }
    }

    @Override
    public long revision() {
        lock.lock();
        try {
            return revision;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Watch watch(String prefix, long afterRevision, Consumer<StoreEvent> listener) {
        lock.lock();
        try {
            if (afterRevision < revision) {
                Long oldest = log.firstKey();
                if (oldest == null || oldest > afterRevision + 1) {
                    throw new CompactedException(afterRevision, oldest == null ? revision + 1 : oldest);
                }
            }
            LocalWatch watch = new LocalWatch(prefix, listener, watches::remove);
            for (Cursor<Long, byte[]> c = log.cursor(afterRevision + 1); c.hasNext(); ) {
                long rev = c.next();
                watch.offer(decodeEvent(rev, c.getValue()));
            }
            watches.add(watch);
            watch.start();
            return watch;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (!mv.isClosed()) {
                removeEphemeral();
            }
            for (LocalWatch w : watches) {
                w.close();
            }
            if (!mv.isClosed()) {
                mv.close();
            }
        } finally {
            lock.unlock();
        }
    }

    private void removeEphemeral() {
        for (String key : List.copyOf(ephemeral.keySet())) {
            remove(key);
        }
    }

    private static void validate(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("store key must not be empty");
        }
    }

    private static KvEntry decode(String key, byte[] raw) {
        ByteBuffer b = ByteBuffer.wrap(raw);
        long version = b.getLong();
        byte[] value = new byte[b.remaining()];
        b.get(value);
        return new KvEntry(key, value, version);
    }

    private static byte[] encodeEvent(StoreEvent event) {
        byte[] key = event.key().getBytes(StandardCharsets.UTF_8);
        byte[] value = event instanceof StoreEvent.Put p ? p.entry().value() : new byte[0];
        return ByteBuffer.allocate(1 + 4 + key.length + value.length)
                .put((byte) (event instanceof StoreEvent.Put ? 1 : 0)).putInt(key.length).put(key).put(value).array();
    }

    private static StoreEvent decodeEvent(long rev, byte[] raw) {
        ByteBuffer b = ByteBuffer.wrap(raw);
        boolean put = b.get() == 1;
        byte[] key = new byte[b.getInt()];
        b.get(key);
        byte[] value = new byte[b.remaining()];
        b.get(value);
        String k = new String(key, StandardCharsets.UTF_8);
        return put ? new StoreEvent.Put(new KvEntry(k, value, rev)) : new StoreEvent.Deleted(k, rev);
    }
}
