package org.sonicmigration.sim.kernel;

import java.util.Arrays;

/**
 * The page-cache LRU as a FIFO ring of pfns: insertion order approximates recency (a page read once is
 * evicted in the order it was read, as Linux's inactive list does for a streaming read). Entries are not
 * removed when a page leaves the cache by another path (file deletion); such stale entries are skipped when
 * they reach the head, and compacted away when they would outnumber live ones. One approximation remains: if
 * the frame has meanwhile become a cache page again, its old entry counts as its LRU position, so it may be
 * evicted earlier than Linux would evict it.
 */
final class LruRing {
    private long[] ring = new long[1024];
    private int head;
    private int size;

    int size() {
        return size;
    }

    void add(long pfn) {
        if (size == ring.length) {
            grow();
        }
        ring[(head + size) % ring.length] = pfn;
        size++;
    }

    long poll() {
        long v = ring[head];
        head = (head + 1) % ring.length;
        size--;
        return v;
    }

    /** Calls {@code c} with the newest {@code n} entries (at most all of them), oldest of those first. */
    void forEachNewest(int n, java.util.function.LongConsumer c) {
        int k = Math.min(Math.max(n, 0), size);
        for (int i = size - k; i < size; i++) {
            c.accept(ring[(head + i) % ring.length]);
        }
    }

    /** Keeps only entries for which {@code keep} holds, in order, and only the last entry of each pfn. */
    void compact(java.util.function.LongPredicate keep, long pfnLimit) {
        long[] seen = new long[(int) ((pfnLimit + 63) >>> 6)];
        long[] kept = new long[Math.max(1024, size)];
        int n = 0;
        for (int i = size - 1; i >= 0; i--) {
            long pfn = ring[(head + i) % ring.length];
            int w = (int) (pfn >>> 6);
            long bit = 1L << pfn;
            if ((seen[w] & bit) == 0 && keep.test(pfn)) {
                seen[w] |= bit;
                kept[n++] = pfn;
            }
        }
        for (int i = 0, j = n - 1; i < j; i++, j--) {
            long t = kept[i];
            kept[i] = kept[j];
            kept[j] = t;
        }
        ring = kept;
        head = 0;
        size = n;
    }

    private void grow() {
        long[] n = new long[ring.length * 2];
        for (int i = 0; i < size; i++) {
            n[i] = ring[(head + i) % ring.length];
        }
        ring = n;
        head = 0;
    }

    @Override
    public String toString() {
        return "LruRing[" + size + "]" + (size < 8 ? Arrays.toString(Arrays.copyOf(ring, size)) : "");
    }
}
