package org.sonicmigration.sim.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.sonicmigration.spi.PageBitmap;

/**
 * Log-dirty state of one guest: one bit per frame in Xen's bitmap layout. {@link #mark} is called after a
 * write has completed; fetch-and-clean swaps each word out atomically, so a write is either in the words
 * returned or in a later fetch. When the log is off, marking costs one volatile read.
 */
public final class DirtyTracker {
    private static final VarHandle WORD = MethodHandles.arrayElementVarHandle(long[].class);
    private final long size;
    private final long[] words;
    private volatile boolean enabled;

    public DirtyTracker(long size) {
        this.size = size;
        this.words = new long[(int) ((size + 63) >>> 6)];
    }

    public long size() {
        return size;
    }

    public boolean enabled() {
        return enabled;
    }

    public void mark(long pfn) {
        if (enabled) {
            WORD.getAndBitwiseOr(words, (int) (pfn >>> 6), 1L << pfn);
        }
    }

    public synchronized void enable() {
        for (int i = 0; i < words.length; i++) {
            WORD.setVolatile(words, i, 0L);
        }
        enabled = true;
    }

    public synchronized void disable() {
        enabled = false;
        for (int i = 0; i < words.length; i++) {
            WORD.setVolatile(words, i, 0L);
        }
    }

    public void fetchAndClean(PageBitmap into) {
        transfer(into, true);
    }

    public void peek(PageBitmap into) {
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
