package dev.weft.store.zookeeper;

/**
 * Where one store's nodes live under its root {@code /PREFIX}: {@code data/<key>} the entries,
 * {@code revision} the store-wide revision counter, {@code log/<revision>} the change log, and
 * {@code ephemeral/<key>} a persistent marker for each ephemeral entry, holding its owner's
 * session id, so that an entry removed by ZooKeeper when that session expires is still reported
 * to watchers as deleted.
 */
record ZkLayout(String root) {
    static ZkLayout forPrefix(String prefix) {
        return new ZkLayout("/" + prefix.replaceAll("^/+|/+$", ""));
    }

    String dataDir() {
        return root + "/data";
    }

    String logDir() {
        return root + "/log";
    }

    String markerDir() {
        return root + "/ephemeral";
    }

    String revision() {
        return root + "/revision";
    }

    String data(String key) {
        return dataDir() + "/" + ZkCodec.nodeName(key);
    }

    String marker(String key) {
        return markerDir() + "/" + ZkCodec.nodeName(key);
    }

    String log(long revision) {
        return logDir() + "/" + ZkCodec.logName(revision);
    }
}
