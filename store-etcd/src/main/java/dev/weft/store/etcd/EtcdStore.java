package dev.weft.store.etcd;

import dev.weft.store.CompactedException;
import dev.weft.store.KvEntry;
import dev.weft.store.Store;
import dev.weft.store.StoreEvent;
import dev.weft.store.StoreException;
import dev.weft.store.StoreUnavailableException;
import dev.weft.store.StoreUrl;
import dev.weft.store.VersionConflictException;
import dev.weft.store.Watch;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The etcd backend. Every key lives under {@code /<prefix>/} (the prefix of the {@link StoreUrl}),
 * which is stripped from the keys handed back. An entry's version is its etcd mod revision and
 * {@link #revision()} is the cluster's header revision, so versions, revisions and watches speak
 * the same numbers as in the local store. Compare-and-swap is an etcd transaction comparing the
 * mod revision (0 for a key that does not exist). Ephemeral entries hang on one lease per client,
 * granted on first use with the URL's session TTL, kept alive by jetcd and revoked at
 * {@link #close()}. Every call waits at most {@link #CALL_TIMEOUT}, then fails with a
 * {@link StoreException} naming the etcd address; the client asks etcd to refuse calls while
 * the member it reached has no leader, rather than let them wait.
 */
public final class EtcdStore implements Store {
    /**
     * How long one call to etcd may take before it fails: short, so that an API request fails with
     * 503 within 2 s when etcd lost its majority (a member cannot say so until its election
     * timeout, 1 s by default, has passed), and long enough for a leader election to pass.
     */
    static final Duration CALL_TIMEOUT = Duration.ofMillis(1500);
    /** How long the first call may take (a daemon started beside a busy etcd; --kv-wait tries again). */
    static final Duration OPEN_TIMEOUT = Duration.ofSeconds(5);
    /** The gRPC status description of a member refusing a call for lack of a leader. */
    static final String NO_LEADER = "etcdserver: no leader";
    private static final Duration NO_LEADER_PAUSE = Duration.ofMillis(100);

    private final Client client;
    private final KV kv;
    private final String address;
    private final String base;
    private final EtcdSession session;
    private final List<EtcdWatch> watches = new CopyOnWriteArrayList<>();

    private EtcdStore(Client client, StoreUrl url) {
        this.client = client;
        this.kv = client.getKVClient();
        this.address = url.connectString();
        this.base = "/" + url.prefix() + "/";
        this.session = new EtcdSession(client.getLeaseClient(), url.sessionTtl(), this);
    }

    /**
     * Connects to the etcd cluster at {@code url} (over TLS and with a user if its security says
     * so) and checks that it answers; fails with a {@link StoreException} naming the address, and
     * the certificate or credential it refused, if it does not within {@link #OPEN_TIMEOUT}.
     */
    public static EtcdStore open(StoreUrl url) {
        Client client = EtcdConnect.client(url, OPEN_TIMEOUT);
        EtcdStore store = new EtcdStore(client, url);
        try {
            store.revision(OPEN_TIMEOUT);
        } catch (StoreException e) {
            client.close();
            throw EtcdConnect.explain(e, url);
        }
        return store;
    }

    @Override
    public Optional<KvEntry> get(String key) {
        GetResponse r = await(() -> kv.get(bytes(key)), "get " + key);
        return r.getKvs().stream().findFirst().map(this::entry);
    }

    @Override
    public List<KvEntry> list(String prefix) {
        GetOption byPrefix = GetOption.builder().isPrefix(true)
                .withSortField(GetOption.SortTarget.KEY).withSortOrder(GetOption.SortOrder.ASCEND).build();
        GetResponse r = await(() -> kv.get(bytes(prefix), byPrefix), "list " + prefix);
        return r.getKvs().stream().map(this::entry).toList();
    }

    @Override
    public KvEntry put(String key, byte[] value) {
        return write(key, value, PutOption.DEFAULT);
    }

    @Override
    public KvEntry putEphemeral(String key, byte[] value) {
        long lease = session.leaseId();
        try {
            return write(key, value, PutOption.builder().withLeaseId(lease).build());
        } catch (StoreException e) {
            if (!String.valueOf(e.getMessage()).contains("lease not found")) {
                throw e;
            }
            session.expired(lease);
            return write(key, value, PutOption.builder().withLeaseId(session.leaseId()).build());
        }
    }

    private KvEntry write(String key, byte[] value, PutOption option) {
        validate(key);
        long rev = await(() -> kv.put(bytes(key), ByteSequence.from(value), option), "put " + key).getHeader().getRevision();
        return new KvEntry(key, value, rev);
    }

    @Override
    public KvEntry putIfVersion(String key, byte[] value, long expectedVersion) {
        validate(key);
        TxnResponse r = compareAndDo(key, expectedVersion, Op.put(bytes(key), ByteSequence.from(value), PutOption.DEFAULT));
        return new KvEntry(key, value, r.getHeader().getRevision());
    }

    @Override
    public boolean delete(String key) {
        return await(() -> kv.delete(bytes(key)), "delete " + key).getDeleted() > 0;
    }

    @Override
    public void deleteIfVersion(String key, long expectedVersion) {
        compareAndDo(key, expectedVersion, Op.delete(bytes(key), DeleteOption.DEFAULT));
    }

    /**
     * Runs {@code op} in a transaction only if the key's mod revision is {@code expected} (etcd
     * compares a missing key's as 0); otherwise reads the key and throws VersionConflictException.
     */
    private TxnResponse compareAndDo(String key, long expected, Op op) {
        ByteSequence k = bytes(key);
        TxnResponse r = await(() -> kv.txn()
                .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(expected)))
                .Then(op)
                .Else(Op.get(k, GetOption.DEFAULT))
                .commit(), "compare-and-swap " + key);
        if (!r.isSucceeded()) {
            long actual = r.getGetResponses().stream().flatMap(g -> g.getKvs().stream())
                    .mapToLong(KeyValue::getModRevision).findFirst().orElse(0);
            throw new VersionConflictException(key, expected, actual);
        }
        return r;
    }

    @Override
    public long revision() {
        return revision(CALL_TIMEOUT);
    }

    private long revision(Duration timeout) {
        GetOption countOnly = GetOption.builder().withCountOnly(true).build();
        return await(() -> kv.get(ByteSequence.from(base, StandardCharsets.UTF_8), countOnly), "read revision", timeout)
                .getHeader().getRevision();
    }

    /**
     * Watches the keys under {@code prefix} from revision {@code afterRevision + 1}. Fails with
     * {@link CompactedException} when etcd has compacted that revision away, found by reading at it
     * before the watch starts.
     */
    @Override
    public Watch watch(String prefix, long afterRevision, Consumer<StoreEvent> listener) {
        long current = revision();
        if (afterRevision < current && !readable(afterRevision + 1)) {
            throw new CompactedException(afterRevision, oldestReadable(afterRevision + 1, current));
        }
        EtcdWatch watch = new EtcdWatch(client.getWatchClient(), bytes(prefix), this::key, listener, watches::remove);
        watches.add(watch);
        watch.start(afterRevision + 1);
        return watch;
    }

    /** Whether etcd still keeps revision {@code rev}, that is, it has not been compacted away. */
    private boolean readable(long rev) {
        GetOption at = GetOption.builder().withRevision(rev).withCountOnly(true).build();
        try {
            await(() -> kv.get(ByteSequence.from(base, StandardCharsets.UTF_8), at), "read at revision " + rev);
            return true;
        } catch (StoreException e) {
            String reason = e.getCause() == null ? null : e.getCause().getMessage();
            if (reason != null && reason.contains("required revision has been compacted")) {
                return false;
            }
            throw e;
        }
    }

    /** The compaction point: the oldest readable revision in (compacted, readable], by bisection. */
    private long oldestReadable(long compacted, long readable) {
        long lo = compacted;
        long hi = readable;
        while (hi - lo > 1) {
            long mid = lo + (hi - lo) / 2;
            if (readable(mid)) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return hi;
    }

    /** Stops the watches, revokes the session lease (its ephemeral entries vanish now) and disconnects. */
    @Override
    public void close() {
        for (EtcdWatch w : watches) {
            w.close();
        }
        try {
            session.close();
        } finally {
            client.close();
        }
    }

    /** {@link #await(Supplier, String, Duration)} within {@link #CALL_TIMEOUT}. */
    <T> T await(Supplier<CompletableFuture<T>> call, String what) {
        return await(call, what, CALL_TIMEOUT);
    }

    /**
     * Sends {@code call} and waits for its answer, at most {@code timeout} in all. A member that
     * knows it has no leader refuses a call at once, before proposing anything (the client asks
     * for a leader), so such a refusal is sent again every {@link #NO_LEADER_PAUSE} while time
     * remains: an election after the leader's death passes unnoticed if it ends in time. Every
     * failure becomes a StoreException that says what was being done and at which address;
     * a timeout or a lasting lack of leader a {@link StoreUnavailableException}.
     */
    <T> T await(Supplier<CompletableFuture<T>> call, String what, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            CompletableFuture<T> f = call.get();
            try {
                return f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                f.cancel(true);
                throw new StoreUnavailableException("etcd at " + address + " did not answer within " + timeout.toMillis()
                        + " ms (" + what + "); is it running and reachable, and are a majority of its members up?", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                String m = String.valueOf(cause.getMessage());
                if (m.contains(NO_LEADER)) {
                    if (deadline - System.nanoTime() > NO_LEADER_PAUSE.toNanos()) {
                        pause();
                        continue;
                    }
                    throw new StoreUnavailableException("etcd at " + address + " has no leader (a majority of its members is"
                            + " down or cut off): " + what + " refused for " + timeout.toMillis() + " ms", cause);
                }
                String message = "etcd at " + address + ": " + what + " failed: " + cause.getMessage();
                throw m.startsWith("UNAVAILABLE") || m.startsWith("DEADLINE_EXCEEDED") // gRPC's codes for "try again later"
                        ? new StoreUnavailableException(message, cause) : new StoreException(message, cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted waiting for etcd at " + address + " (" + what + ")", e);
            }
        }
    }

    private void pause() {
        try {
            Thread.sleep(NO_LEADER_PAUSE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted waiting for etcd at " + address + " to elect a leader", e);
        }
    }

    /** The etcd address, as error messages name it. */
    String address() {
        return address;
    }

    private ByteSequence bytes(String key) {
        return ByteSequence.from(base + key, StandardCharsets.UTF_8);
    }

    /** The store key of an etcd key under this store's prefix. */
    private String key(ByteSequence etcdKey) {
        return etcdKey.toString(StandardCharsets.UTF_8).substring(base.length());
    }

    private KvEntry entry(KeyValue kv) {
        return new KvEntry(key(kv.getKey()), kv.getValue().getBytes(), kv.getModRevision());
    }

    private static void validate(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("store key must not be empty");
        }
    }
}
