package dev.weft.linux.nft;

import dev.weft.linux.KernelException;
import dev.weft.linux.netlink.Attrs;
import dev.weft.linux.netlink.NetlinkSubscription;
import dev.weft.linux.netlink.Nl;
import dev.weft.linux.netlink.NlMessage;
import dev.weft.linux.netns.Netns;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A subscription to nftables' change notifications (NETLINK_NETFILTER, group NFNLGRP_NFTABLES)
 * of one namespace, reporting what other processes delete: tables, chains, rules, sets, set
 * elements. The kernel sends a transaction's notifications followed by one NFT_MSG_NEWGEN naming
 * the thread that committed it; transactions committed by a thread of this process (weft's own
 * rewrites, which delete and re-add its tables) are left out. Deletions are delivered once per
 * transaction, on a platform thread of the subscription's own. When the kernel drops
 * notifications (the reader fell behind, as a flush of a big ruleset can make it) or receiving fails, the listener
 * gets {@link NftEvent.Overflow} and must assume anything may be gone.
 */
public final class NftEvents implements AutoCloseable {
    static final int NFNLGRP_NFTABLES = 7;
    static final int NFNL_SUBSYS_NFTABLES = 10;
    static final int NFT_MSG_DELTABLE = 2;
    static final int NFT_MSG_DELCHAIN = 5;
    static final int NFT_MSG_DELRULE = 8;
    static final int NFT_MSG_DELSET = 11;
    static final int NFT_MSG_DELSETELEM = 14;
    static final int NFT_MSG_NEWGEN = 15;
    static final int NFT_MSG_DELOBJ = 20;
    static final int NFT_MSG_DELFLOWTABLE = 24;
    /** The table attribute of every object message (NFTA_TABLE_NAME, NFTA_CHAIN_TABLE, NFTA_RULE_TABLE, ...). */
    static final int NFTA_TABLE = 1;
    static final int NFTA_GEN_PROC_PID = 2;
    static final int NFTA_GEN_PROC_NAME = 3;
    private static final int NFGENMSG_LEN = 4;

    private final NetlinkSubscription subscription;

    /** What another process did to the ruleset. */
    public sealed interface NftEvent {
        /** One transaction's deletions; {@code pid} and {@code process} name the thread that committed it. */
        record Deleted(List<Deletion> deletions, long pid, String process) implements NftEvent {
            /** Whether anything was deleted from a table whose name starts with {@code prefix}. */
            public boolean touches(String prefix) {
                return deletions.stream().anyMatch(d -> d.table() != null && d.table().startsWith(prefix));
            }
        }

        /** The kernel dropped notifications, or receiving them failed: anything may have changed. */
        record Overflow() implements NftEvent {
        }
    }

    /** One deleted object: its kind ("table", "chain", "rule", "set", "element", ...), family and table. */
    public record Deletion(String kind, String family, String table) {
    }

    private NftEvents(NetlinkSubscription subscription) {
        this.subscription = subscription;
    }

    /** Subscribes in {@code ns}, or in this process's own namespace when {@code ns} is null. */
    public static NftEvents subscribe(Netns ns, Consumer<NftEvent> listener) {
        return new NftEvents(NetlinkSubscription.open(Nl.NETLINK_NETFILTER, NFNLGRP_NFTABLES, ns, "nft-events",
                new Transactions(listener)));
    }

    /** Collects a transaction's deletions until its NFT_MSG_NEWGEN, then reports them if another process committed it. */
    private static final class Transactions implements NetlinkSubscription.Reader {
        private final Consumer<NftEvent> listener;
        private final List<Deletion> pending = new ArrayList<>();

        Transactions(Consumer<NftEvent> listener) {
            this.listener = listener;
        }

        @Override
        public void messages(List<NlMessage> batch) {
            for (NlMessage m : batch) {
                if (m.type() >> 8 != NFNL_SUBSYS_NFTABLES) {
                    continue;
                }
                int msg = m.type() & 0xff;
                if (msg == NFT_MSG_NEWGEN) {
                    Attrs a = m.attrs(NFGENMSG_LEN);
                    byte[] raw = a.bytes(NFTA_GEN_PROC_PID);
                    long pid = raw == null || raw.length < 4 ? 0 : Integer.toUnsignedLong(ByteBuffer.wrap(raw).getInt());
                    if (!pending.isEmpty() && !ownThread(pid)) {
                        listener.accept(new NftEvent.Deleted(List.copyOf(pending), pid, a.string(NFTA_GEN_PROC_NAME)));
                    }
                    pending.clear();
                    continue;
                }
                String kind = kind(msg);
                if (kind != null) {
                    pending.add(new Deletion(kind, family(m.payload()), m.attrs(NFGENMSG_LEN).string(NFTA_TABLE)));
                }
            }
        }

        @Override
        public void lost(KernelException cause) {
            pending.clear();
            listener.accept(new NftEvent.Overflow()); // events lost (ENOBUFS), or a failed receive: anything may be gone
        }
    }

    private static String kind(int msg) {
        return switch (msg) {
            case NFT_MSG_DELTABLE -> "table";
            case NFT_MSG_DELCHAIN -> "chain";
            case NFT_MSG_DELRULE -> "rule";
            case NFT_MSG_DELSET -> "set";
            case NFT_MSG_DELSETELEM -> "element";
            case NFT_MSG_DELOBJ -> "object";
            case NFT_MSG_DELFLOWTABLE -> "flowtable";
            default -> null;
        };
    }

    private static String family(ByteBuffer payload) {
        int f = payload.remaining() < 1 ? -1 : Byte.toUnsignedInt(payload.duplicate().order(ByteOrder.nativeOrder()).get(0));
        return switch (f) {
            case 1 -> "inet";
            case 2 -> "ip";
            case 3 -> "arp";
            case 5 -> "netdev";
            case 7 -> "bridge";
            case 10 -> "ip6";
            default -> String.valueOf(f);
        };
    }

    /** Whether {@code tid} (the kernel's thread id, as NFTA_GEN_PROC_PID gives it) is a thread of this process. */
    static boolean ownThread(long tid) {
        return tid > 0 && Files.exists(Path.of("/proc/self/task/" + tid));
    }

    @Override
    public void close() {
        subscription.close();
    }
}
