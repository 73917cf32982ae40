package dev.weft.store.zookeeper;

import dev.weft.store.KvEntry;
import dev.weft.store.StoreEvent;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * How the ZooKeeper store lays out bytes and names. A store key becomes one znode name under
 * {@code data/} by URL-encoding it (so '/' and the characters ZooKeeper forbids never reach a
 * path, and "." and ".." are escaped too). A data node holds the revision of the key's last
 * change as an 8-byte header, then the value. A change-log node is named by its revision,
 * zero-padded to 19 digits so names sort like numbers, and holds: kind (1 put, 0 delete), the id
 * of the write that made it (to recognise one's own write after a retried commit), the key and,
 * for a put, the value.
 */
final class ZkCodec {
    private ZkCodec() {
    }

    /** The znode name for {@code key}. */
    static String nodeName(String key) {
        String name = URLEncoder.encode(key, StandardCharsets.UTF_8);
        return switch (name) {
            case "." -> "%2E";
            case ".." -> "%2E%2E";
            default -> name;
        };
    }

    /** The key a znode name under {@code data/} stands for. */
    static String keyOf(String nodeName) {
        return URLDecoder.decode(nodeName, StandardCharsets.UTF_8);
    }

    /** The log node name for {@code revision}. */
    static String logName(long revision) {
        return String.format("%019d", revision);
    }

    static byte[] longBytes(long n) {
        return ByteBuffer.allocate(8).putLong(n).array();
    }

    static long longOf(byte[] raw) {
        return raw == null || raw.length < 8 ? 0 : ByteBuffer.wrap(raw).getLong();
    }

    /** A data node's content: the revision of the change, then the value. */
    static byte[] dataNode(long revision, byte[] value) {
        return ByteBuffer.allocate(8 + value.length).putLong(revision).put(value).array();
    }

    static KvEntry entry(String key, byte[] raw) {
        ByteBuffer b = ByteBuffer.wrap(raw);
        long version = b.getLong();
        byte[] value = new byte[b.remaining()];
        b.get(value);
        return new KvEntry(key, value, version);
    }

    /** A log record; {@code value} null for a delete. */
    static byte[] logRecord(long writeId, String key, byte[] value) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        byte[] v = value == null ? new byte[0] : value;
        return ByteBuffer.allocate(1 + 8 + 4 + k.length + v.length)
                .put((byte) (value == null ? 0 : 1)).putLong(writeId).putInt(k.length).put(k).put(v).array();
    }

    static long writeIdOf(byte[] record) {
        return ByteBuffer.wrap(record, 1, 8).getLong();
    }

    static StoreEvent event(long revision, byte[] record) {
        ByteBuffer b = ByteBuffer.wrap(record);
        boolean put = b.get() == 1;
        b.getLong();
        byte[] key = new byte[b.getInt()];
        b.get(key);
        byte[] value = new byte[b.remaining()];
        b.get(value);
        String k = new String(key, StandardCharsets.UTF_8);
        return put ? new StoreEvent.Put(new KvEntry(k, value, revision)) : new StoreEvent.Deleted(k, revision);
    }
}
