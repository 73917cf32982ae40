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

/**
 * The etcd backend. Every key lives under {@code /<prefix>/} (the prefix of the {@link StoreUrl}),
 * which is stripped from the keys handed back. An entry's version is its etcd mod revision and
 * {@link #revision()} is the cluster's header revision, so versions, revisions and watches speak
 * the same numbers as in the local store. Compare-and-swap is an etcd transaction comparing the
 * mod revision (0 for a key that does not exist). Ephemeral entries hang on one lease per client,
 * granted on first use with the URL's session TTL, kept alive by jetcd and revoked at
 * {@link #close()}. Every call waits at most {@link #CALL_TIMEOUT}, then fails with a
 * {@link StoreException} naming the etcd address.
 */
public final class EtcdStore implements Store {
    /** How long one call to etcd may take before it fails. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

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
     * the certificate or credential it refused, if it does not within {@link #CALL_TIMEOUT}.
     */
    public static EtcdStore open(StoreUrl url) {
        Client client = EtcdConnect.client(url, CALL_TIMEOUT);
        EtcdStore store = new EtcdStore(client, url);
        try {
            store.revision();
        } catch (StoreException e) {
            client.close();
            throw EtcdConnect.explain(e, url);
        }
        return store;
    }

    @Override
    public Optional<KvEntry> get(String key) {
        GetResponse r = await(kv.get(bytes(key)), "get " + key);
        return r.getKvs().stream().findFirst().map(this::entry);
    }

    @Override
    public List<KvEntry> list(String prefix) {
        GetOption byPrefix = GetOption.builder().isPrefix(true)
                .withSortField(GetOption.SortTarget.KEY).withSortOrder(GetOption.SortOrder.ASCEND).build();
        GetResponse r = await(kv.get(bytes(prefix), byPrefix), "list " + prefix);
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
        long rev = await(kv.put(bytes(key), ByteSequence.from(value), option), "put " + key).getHeader().getRevision();
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
        return await(kv.delete(bytes(key)), "delete " + key).getDeleted() > 0;
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
        TxnResponse r = await(kv.txn()
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
        GetOption countOnly = GetOption.builder().withCountOnly(true).build();
        return await(kv.get(ByteSequence.from(base, StandardCharsets.UTF_8), countOnly), "read revision")
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
            await(kv.get(ByteSequence.from(base, StandardCharsets.UTF_8), at), "read at revision " + rev);
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

    /**
     * Waits for {@code call}, at most {@link #CALL_TIMEOUT}; turns every failure into a
     * StoreException that says what was being done and at which address.
     */
    <T> T await(CompletableFuture<T> call, String what) {
        try {
            return call.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            call.cancel(true);
            throw new StoreUnavailableException("etcd at " + address + " did not answer within " + CALL_TIMEOUT.toSeconds()
                    + " s (" + what + "); is it running and reachable?", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            String message = "etcd at " + address + ": " + what + " failed: " + cause.getMessage();
            String m = String.valueOf(cause.getMessage());
            throw m.startsWith("UNAVAILABLE") || m.startsWith("DEADLINE_EXCEEDED") // gRPC's codes for "try again later"
                    ? new StoreUnavailableException(message, cause) : new StoreException(message, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted waiting for etcd at " + address + " (" + what + ")", e);
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
