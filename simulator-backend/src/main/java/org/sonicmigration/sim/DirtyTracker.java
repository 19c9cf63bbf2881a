package org.sonicmigration.sim;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.sonicmigration.spi.PageBitmap;

/**
 * Log-dirty state of one guest: one bit per frame in Xen's bitmap layout. {@link #mark} is called after a
 * write has completed; fetch-and-clean swaps each word out atomically, so a write is either in the words
 * returned or in a later fetch. When the log is off, marking costs one volatile read.
 */
final class DirtyTracker {
    private static final VarHandle WORD = MethodHandles.arrayElementVarHandle(long[].class);
    private final long size;
    private final long[] words;
    private volatile boolean enabled;

    DirtyTracker(long size) {
        this.size = size;
        this.words = new long[(int) ((size + 63) >>> 6)];
    }

    long size() {
        return size;
    }

    boolean enabled() {
        return enabled;
    }

    void mark(long pfn) {
        if (enabled) {
            WORD.getAndBitwiseOr(words, (int) (pfn >>> 6), 1L << pfn);
        }
    }

    synchronized void enable() {
        for (int i = 0; i < words.length; i++) {
            WORD.setVolatile(words, i, 0L);
        }
        enabled = true;
    }

    synchronized void disable() {
        enabled = false;
        for (int i = 0; i < words.length; i++) {
            WORD.setVolatile(words, i, 0L);
        }
    }

    void fetchAndClean(PageBitmap into) {
        transfer(into, true);
    }

    void peek(PageBitmap into) {
        transfer(into, false);
    }

    private void transfer(PageBitmap into, boolean clean) {
        if (into.size() != size) {
            throw new IllegalArgumentException("bitmap has " + into.size() + " bits, the domain has " + size + " frames");
        }
        MemorySegment seg = MemorySegment.ofArray(new long[words.length]);
        for (int i = 0; i < words.length; i++) {
            // a word read as 0 needs no swap: a write landing after this read shows up in the next fetch
            long w = (long) WORD.getVolatile(words, i);
            if (clean && w != 0) {
                w = (long) WORD.getAndSet(words, i, 0L);
            }
            seg.setAtIndex(PageContent.LE_LONG, i, w);
        }
        into.copyFrom(seg);
    }
}
