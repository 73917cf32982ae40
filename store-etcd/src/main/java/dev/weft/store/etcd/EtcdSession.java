package dev.weft.store.etcd;

import dev.weft.store.StoreException;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;

import java.time.Duration;

/**
 * A client's session: the one etcd lease its ephemeral entries are attached to. The lease is
 * granted on the first ephemeral write, with the session TTL rounded up to whole seconds, and
 * jetcd keeps it alive for as long as the client runs. If the process dies, the keep-alives stop
 * and etcd deletes the entries when the TTL runs out; {@link #close()} revokes the lease, so they
 * go at once (or, if etcd cannot be reached then, when the TTL runs out).
 */
final class EtcdSession implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EtcdSession.class.getName());

    private final Lease leases;
    private final long ttlSeconds;
    private final EtcdStore store;
    private static final java.time.Duration RESTART_PAUSE = java.time.Duration.ofSeconds(1);
    private long leaseId;
    private volatile boolean failing;
    private CloseableClient keepAlive;
    private boolean closed;

    EtcdSession(Lease leases, Duration ttl, EtcdStore store) {
        this.leases = leases;
        this.ttlSeconds = Math.max(1, (ttl.toMillis() + 999) / 1000);
        this.store = store;
    }

    /** The session's lease, granted (and its keep-alive started) on the first call. */
    synchronized long leaseId() {
        if (closed) {
            throw new StoreException("store client for etcd at " + store.address() + " is closed");
        }
        if (leaseId == 0) {
            leaseId = store.await(() -> leases.grant(ttlSeconds), "grant a session lease").getID();
            keepAlive = leases.keepAlive(leaseId, observer(leaseId));
        }
        return leaseId;
    }

    private StreamObserver<LeaseKeepAliveResponse> observer(long id) {
        return new StreamObserver<>() {
            @Override
            public void onNext(LeaseKeepAliveResponse response) {
                failing = false;
            }

            @Override
            public void onError(Throwable t) {
                // not on jetcd's thread, which may hold the lease client's lock that restarting takes
                Thread.ofVirtual().start(() -> keepAliveFailed(id, t));
            }

            @Override
            public void onCompleted() {
            }
        };
    }

    /**
     * jetcd gives a lease's keep-alive up once a TTL passed without an answer (etcd lost its
     * majority, or this host was cut off); etcd may still hold the lease (a new leader extends every
     * lease by its TTL), so the keep-alive is started again every second until etcd answers, or
     * says the lease is gone: then the next ephemeral write grants a new one.
     */
    private void keepAliveFailed(long id, Throwable t) {
        if (String.valueOf(t.getMessage()).contains("lease not found")) {
            expired(id);
            return;
        }
        if (!failing) {
            failing = true;
            LOG.log(System.Logger.Level.WARNING, "keep-alive of the session lease at etcd " + store.address()
                    + " failed (" + t.getMessage() + "); trying again every second, ephemeral entries expire unless"
                    + " it recovers");
        }
        try {
            Thread.sleep(RESTART_PAUSE);
        } catch (InterruptedException e) {
            return;
        }
        restartKeepAlive(id);
    }

    private synchronized void restartKeepAlive(long id) {
        if (closed || leaseId != id) {
            return;
        }
        keepAlive.close();
        keepAlive = leases.keepAlive(id, observer(id));
    }

    /**
     * Forgets lease {@code id} because etcd no longer knows it (it expired while this client
     * could not keep it alive, as in a long outage): the next {@link #leaseId()} grants a new one.
     */
    synchronized void expired(long id) {
        if (leaseId == id) {
            LOG.log(System.Logger.Level.WARNING, "the session lease at etcd " + store.address()
                    + " expired; granting a new one");
            if (keepAlive != null) {
                keepAlive.close();
            }
            leaseId = 0;
        }
    }

    /** Stops the keep-alive and revokes the lease, deleting this client's ephemeral entries. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (leaseId == 0) {
            return;
        }
        keepAlive.close();
        try {
            store.await(() -> leases.revoke(leaseId), "revoke the session lease " + Long.toHexString(leaseId));
        } catch (StoreException e) {
            LOG.log(System.Logger.Level.WARNING, e.getMessage() + "; this client's ephemeral entries expire in "
                    + ttlSeconds + " s instead");
        }
    }
}
