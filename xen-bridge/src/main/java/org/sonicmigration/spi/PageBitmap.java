package org.sonicmigration.spi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * A fixed-size bitmap with one bit per guest frame, laid out like Xen's dirty bitmap (little-endian
 * 64-bit words, bit {@code pfn % 64} of word {@code pfn / 64}) so it can be filled from native memory
 * with one copy. Mutable and not thread-safe: each owner keeps its own.
 */
public final class PageBitmap {
    private final long size;
    private final long[] words;

    public PageBitmap(long size) {
        if (size < 0 || size > (long) Integer.MAX_VALUE * 64) {
            throw new IllegalArgumentException("bitmap size out of range: " + size);
        }
        this.size = size;
        this.words = new long[(int) ((size + 63) >>> 6)];
    }

    public long size() {
        return size;
    }

    public boolean get(long pfn) {
        check(pfn);
        return (words[(int) (pfn >>> 6)] & (1L << pfn)) != 0;
    }

    public void set(long pfn) {
        check(pfn);
        words[(int) (pfn >>> 6)] |= 1L << pfn;
    }

    public void clear(long pfn) {
        check(pfn);
        words[(int) (pfn >>> 6)] &= ~(1L << pfn);
    }

    public void setAll() {
        Arrays.fill(words, -1L);
        trimTail();
    }

    public void clearAll() {
        Arrays.fill(words, 0L);
    }

    public long cardinality() {
        long n = 0;
        for (long w : words) {
            n += Long.bitCount(w);
        }
        return n;
    }

    /** The first set bit at or after {@code from}, or -1. */
    public long nextSetBit(long from) {
        if (from >= size) {
            return -1;
        }
        int i = (int) (from >>> 6);
        long w = words[i] & (-1L << from);
        while (true) {
            if (w != 0) {
                long bit = ((long) i << 6) + Long.numberOfTrailingZeros(w);
                return bit < size ? bit : -1;
            }
            if (++i == words.length) {
                return -1;
            }
            w = words[i];
        }
    }

    /** this |= other. */
    public void or(PageBitmap other) {
        sameSize(other);
        for (int i = 0; i < words.length; i++) {
            words[i] |= other.words[i];
        }
    }

    /** this &= ~other. */
    public void andNot(PageBitmap other) {
        sameSize(other);
        for (int i = 0; i < words.length; i++) {
            words[i] &= ~other.words[i];
        }
    }

    /** this &= other. */
    public void and(PageBitmap other) {
        sameSize(other);
        for (int i = 0; i < words.length; i++) {
            words[i] &= other.words[i];
        }
    }

    public void copyFrom(PageBitmap other) {
        sameSize(other);
        System.arraycopy(other.words, 0, words, 0, words.length);
    }

    /** Replaces the content with a native bitmap in Xen's layout ({@code ceil(size/8)} bytes or more). */
    public void copyFrom(MemorySegment nativeBitmap) {
        long bytes = (size + 7) >>> 3;
        if (nativeBitmap.byteSize() < bytes) {
            throw new IllegalArgumentException("native bitmap has " + nativeBitmap.byteSize() + " bytes, need " + bytes);
        }
        long fullWords = bytes >>> 3;
        MemorySegment.copy(nativeBitmap, ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 0,
                words, 0, (int) fullWords);
        for (long b = fullWords << 3; b < bytes; b++) {
            long v = nativeBitmap.get(ValueLayout.JAVA_BYTE, b) & 0xFFL;
            words[(int) (b >>> 3)] = (b & 7) == 0 ? v : words[(int) (b >>> 3)] | (v << ((b & 7) * 8));
        }
        trimTail();
    }

    public PageBitmap copy() {
        PageBitmap c = new PageBitmap(size);
        System.arraycopy(words, 0, c.words, 0, words.length);
        return c;
    }

    private void trimTail() {
        int rem = (int) (size & 63);
        if (rem != 0 && words.length > 0) {
            words[words.length - 1] &= (1L << rem) - 1;
        }
    }

    private void check(long pfn) {
        if (pfn < 0 || pfn >= size) {
            throw new IndexOutOfBoundsException("pfn " + pfn + " outside bitmap of " + size);
        }
    }

    private void sameSize(PageBitmap other) {
        if (other.size != size) {
            throw new IllegalArgumentException("bitmap sizes differ: " + size + " vs " + other.size);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PageBitmap p && p.size == size && Arrays.equals(p.words, words);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(size) * 31 + Arrays.hashCode(words);
    }

    @Override
    public String toString() {
        return "PageBitmap[size=" + size + ", set=" + cardinality() + "]";
    }
}
