package dev.weft.store.zookeeper;

import dev.weft.store.StoreException;
import dev.weft.store.VersionConflictException;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.data.Stat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongFunction;

/**
 * Writes changes. Each change is one ZooKeeper transaction of three parts: (1) set the revision
 * node to {@code r+1}, expecting the ZooKeeper version it had at {@code r}; (2) the change to the
 * data node (and ephemeral marker), each expecting the node's ZooKeeper version as read just
 * before; (3) create log node {@code r+1} describing the change. If another writer moved the
 * revision first, part 1 fails and the change is retried at the new revision; if the key changed,
 * part 2 fails and the key is read again (so a compare-and-swap then reports the conflict). The
 * revision and ZooKeeper version of the counter are cached, so an uncontended change costs one
 * read of the key and one transaction.
 */
final class ZkWriter {
    /** What a change does to its key. */
    enum Mode { PUT, PUT_EPHEMERAL, DELETE, DELETE_IF_OWNED }

    private record Rev(long value, int zkVersion) {
    }

    private static final long NO_CHANGE = -1;
    private static final int MAX_ATTEMPTS = 10_000;

    private final ZkClient client;
    private final ZkLayout layout;
    private final int logLimit;
    private final AtomicReference<Rev> revision = new AtomicReference<>();

    ZkWriter(ZkClient client, ZkLayout layout, int logLimit) {
        this.client = client;
        this.layout = layout;
        this.logLimit = logLimit;
        refresh();
    }

    /** The revision of the latest change, as stored now. */
    long refresh() {
        ZkClient.Node n = client.read(layout.revision());
        if (n == null) {
            throw new StoreException("ZooKeeper at " + client.address() + ": " + layout.revision() + " is missing");
        }
        Rev now = new Rev(ZkCodec.longOf(n.data()), n.stat().getVersion());
        return revision.accumulateAndGet(now, ZkWriter::newer).value;
    }

    /**
     * Applies one change to {@code key} ({@code value} null for deletes); {@code expected} is the
     * version the key must have ({@code 0}: absent), or negative for any. Returns the change's
     * revision, or -1 when a delete found nothing (or, for DELETE_IF_OWNED, an entry that is not
     * this session's).
     */
    long write(String key, byte[] value, long expected, Mode mode) {
        long writeId = ThreadLocalRandom.current().nextLong();
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            ZkClient.Node current = client.read(layout.data(key));
            long actual = current == null ? 0 : ZkCodec.longOf(current.data());
            if (expected >= 0 && actual != expected) {
                throw new VersionConflictException(key, expected, actual);
            }
            boolean deletes = mode == Mode.DELETE || mode == Mode.DELETE_IF_OWNED;
            if (deletes && (current == null || mode == Mode.DELETE_IF_OWNED
                    && current.stat().getEphemeralOwner() != client.sessionId())) {
                return NO_CHANGE;
            }
            long session = mode == Mode.PUT_EPHEMERAL ? client.sessionId() : 0;
            long rev = commit(key, value, writeId, next -> changeOps(key, current, value, next, mode, session));
            if (rev != NO_CHANGE) {
                return rev;
            }
        }
        throw new StoreException("ZooKeeper at " + client.address() + ": gave up writing " + key
                + " after " + MAX_ATTEMPTS + " attempts (it changes too often)");
    }

    /**
     * The operations that turn the key's {@code current} node into the new state. The marker is
     * kept exactly for ephemeral entries: created or taken over by PUT_EPHEMERAL, deleted by
     * everything else (it may outlive its node only until the next sweep, hence the check).
     */
    private List<Op> changeOps(String key, ZkClient.Node current, byte[] value, long next, Mode mode, long session) {
        String path = layout.data(key);
        List<Op> ops = new ArrayList<>();
        int version = current == null ? -1 : current.stat().getVersion();
        long owner = current == null ? 0 : current.stat().getEphemeralOwner();
        boolean markerExists = (current == null || owner != 0) && client.exists(layout.marker(key)) != null;
        byte[] node = value == null ? null : ZkCodec.dataNode(next, value);
        if (mode == Mode.PUT_EPHEMERAL) {
            if (current != null && owner == session) {
                ops.add(Op.setData(path, node, version));
                return ops;
            }
            if (current != null) {
                ops.add(Op.delete(path, version));
            }
            ops.add(Op.create(path, node, client.acl(), CreateMode.EPHEMERAL));
            ops.add(markerExists ? Op.setData(layout.marker(key), ZkCodec.longBytes(session), -1)
                    : Op.create(layout.marker(key), ZkCodec.longBytes(session), client.acl(),
                    CreateMode.PERSISTENT));
            return ops;
        }
        if (markerExists) {
            ops.add(Op.delete(layout.marker(key), -1));
        }
        if (mode != Mode.PUT) {
            ops.add(Op.delete(path, version));
        } else if (current != null && owner == 0) {
            ops.add(Op.setData(path, node, version));
        } else {
            if (current != null) {
                ops.add(Op.delete(path, version)); // an ephemeral entry made permanent
            }
            ops.add(Op.create(path, node, client.acl(), CreateMode.PERSISTENT));
        }
        return ops;
    }

    /**
     * Reports ephemeral entries that ZooKeeper removed when their owner's session expired: for
     * each marker whose data node is gone, deletes the marker and logs the key's deletion, in one
     * transaction that also checks the data node is still absent (by creating and deleting it).
     * Any client may do this; the marker's version check lets only one of them log it.
     */
    void sweepExpiredEphemerals() {
        for (String name : client.children(layout.markerDir())) {
            String key = ZkCodec.keyOf(name);
            Stat marker = client.exists(layout.marker(key));
            if (marker == null || client.exists(layout.data(key)) != null) {
                continue;
            }
            String path = layout.data(key);
            commit(key, null, ThreadLocalRandom.current().nextLong(), next -> List.of(
                    Op.create(path, new byte[0], client.acl(), CreateMode.PERSISTENT),
                    Op.delete(path, -1),
                    Op.delete(layout.marker(key), marker.getVersion())));
        }
    }

    /**
     * Commits {@code changeOps} at the next revision, retrying while other writers move the
     * revision first. Returns the revision, or -1 if one of {@code changeOps}' checks failed.
     */
    private long commit(String key, byte[] value, long writeId, LongFunction<List<Op>> changeOps) {
        while (true) {
            Rev rev = revision.get();
            long next = rev.value + 1;
            List<Op> ops = new ArrayList<>();
            ops.add(Op.setData(layout.revision(), ZkCodec.longBytes(next), rev.zkVersion));
            ops.addAll(changeOps.apply(next));
            ops.add(Op.create(layout.log(next), ZkCodec.logRecord(writeId, key, value),
                    client.acl(), CreateMode.PERSISTENT));
            try {
                client.multi(ops);
                revision.accumulateAndGet(new Rev(next, rev.zkVersion + 1), ZkWriter::newer);
                trim(next);
                return next;
            } catch (KeeperException e) {
                if (ZkClient.failedOp(e) != 0) {
                    return NO_CHANGE;
                }
                if (refresh() >= next && landed(next, writeId)) {
                    return next; // our first try committed, its reply was lost, and the retry found the revision moved
                }
            }
        }
    }

    private static Rev newer(Rev known, Rev seen) {
        return known != null && known.value >= seen.value ? known : seen;
    }

    /** Whether log entry {@code rev} is the change with {@code writeId}. */
    private boolean landed(long rev, long writeId) {
        ZkClient.Node n = client.read(layout.log(rev));
        return n != null && ZkCodec.writeIdOf(n.data()) == writeId;
    }

    /** Forgets the change {@code logLimit} revisions back. */
    private void trim(long rev) {
        if (rev > logLimit) {
            client.deleteQuietly(layout.log(rev - logLimit));
        }
    }
}
