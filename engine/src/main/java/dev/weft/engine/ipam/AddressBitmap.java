package dev.weft.engine.ipam;

import java.util.Map;
import java.util.TreeMap;

/**
 * A set of allocated offsets in [0, size) that stays small for huge ranges: bits live in pages of
 * 4096 that exist only while at least one of their bits is set, so an empty /8 (16M addresses)
 * or /64 costs nothing, and a full /8 costs about 2 MiB. Each page counts its set bits, so full
 * pages are skipped without scanning, and absent pages are skipped by key when looking for set
 * bits. Not thread-safe: its pool guards it.
 */
final class AddressBitmap {
    static final int PAGE_BITS = 4096;
    private static final int WORDS = PAGE_BITS / 64;
    private static final int COUNT = WORDS; // the last slot of a page holds its number of set bits

    private final long size;
    private final TreeMap<Long, long[]> pages = new TreeMap<>();
    private long allocated;

    AddressBitmap(long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("bitmap size must be positive: " + size);
        }
        this.size = size;
    }

    long size() {
        return size;
    }

    long allocated() {
        return allocated;
    }

    boolean isSet(long i) {
        check(i);
        long[] page = pages.get(i / PAGE_BITS);
        int bit = (int) (i % PAGE_BITS);
        return page != null && (page[bit >>> 6] & (1L << bit)) != 0;
    }

    /** Sets bit {@code i}; returns false if it was set already. */
    boolean set(long i) {
        check(i);
        long[] page = pages.computeIfAbsent(i / PAGE_BITS, k -> new long[WORDS + 1]);
        int bit = (int) (i % PAGE_BITS);
        long mask = 1L << bit;
        if ((page[bit >>> 6] & mask) != 0) {
            return false;
        }
        page[bit >>> 6] |= mask;
        page[COUNT]++;
        allocated++;
        return true;
    }

    /** Clears bit {@code i}; returns false if it was clear. */
    boolean clear(long i) {
        check(i);
        long p = i / PAGE_BITS;
        long[] page = pages.get(p);
        int bit = (int) (i % PAGE_BITS);
        long mask = 1L << bit;
        if (page == null || (page[bit >>> 6] & mask) == 0) {
            return false;
        }
        page[bit >>> 6] &= ~mask;
        allocated--;
        if (--page[COUNT] == 0) {
            pages.remove(p);
        }
        return true;
    }

    /** The smallest clear offset in [from, to), or -1 if all are set. */
    long nextClear(long from, long to) {
        long end = Math.min(to, size);
        long i = Math.max(0, from);
        while (i < end) {
            long p = i / PAGE_BITS;
            long[] page = pages.get(p);
            if (page == null) {
                return i; // an absent page is all clear
            }
            long pageEnd = Math.min(end, (p + 1) * PAGE_BITS);
            if (page[COUNT] < PAGE_BITS) {
                long found = scan(page, p * PAGE_BITS, i, pageEnd, false);
                if (found >= 0) {
                    return found;
                }
            }
            i = pageEnd;
        }
        return -1;
    }

    /** The smallest set offset in [from, to), or -1 if none. */
    long nextSet(long from, long to) {
        long end = Math.min(to, size);
        long i = Math.max(0, from);
        while (i < end) {
            Map.Entry<Long, long[]> e = pages.ceilingEntry(i / PAGE_BITS);
            if (e == null) {
                return -1;
            }
            long base = e.getKey() * PAGE_BITS;
            long start = Math.max(i, base);
            long pageEnd = Math.min(end, base + PAGE_BITS);
            if (start >= end) {
                return -1;
            }
            long found = scan(e.getValue(), base, start, pageEnd, true);
            if (found >= 0) {
                return found;
            }
            i = base + PAGE_BITS;
        }
        return -1;
    }

    private static long scan(long[] page, long base, long from, long to, boolean set) {
        int bit = (int) (from - base);
        int last = (int) (to - base);
        while (bit < last) {
            int w = bit >>> 6;
            long bits = (set ? page[w] : ~page[w]) & (-1L << (bit & 63));
            if (bits != 0) {
                int found = (w << 6) + Long.numberOfTrailingZeros(bits);
                return found < last ? base + found : -1;
            }
            bit = (w + 1) << 6;
        }
        return -1;
    }

    private void check(long i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("offset " + i + " outside [0, " + size + ")");
        }
    }
}
