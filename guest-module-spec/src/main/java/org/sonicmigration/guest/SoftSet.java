package org.sonicmigration.guest;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An immutable set of PFNs {@code 0 .. size-1}, stored as the ABI's bitmap: bit {@code pfn % 64} of word
 * {@code pfn / 64}. It is the hint codec's own value type (this module must not depend on the engine's
 * {@code PageBitmap}); the layout is the same, so {@link #segment()} feeds a {@code PageBitmap.copyFrom}
 * with a single copy and {@link #words()} gives the words themselves.
 */
public final class SoftSet {

    private final long size;
    private final long[] words;

    /** Takes ownership of {@code words}, which must be exactly {@code wordsFor(size)} long with a clean tail. */
    private SoftSet(long size, long[] words) {
        this.size = size;
        this.words = words;
    }

    /** The number of 64-bit words a set of {@code size} PFNs needs. */
    public static int wordsFor(long size) {
        checkSize(size);
        return (int) ((size + 63) >>> 6);
    }

    public static SoftSet empty(long size) {
        return new SoftSet(size, new long[wordsFor(size)]);
    }

    /** A set holding the given PFNs. */
    public static SoftSet of(long size, long... pfns) {
        Builder b = builder(size);
        for (long pfn : pfns) {
            b.set(pfn);
        }
        return b.build();
    }

    /** A copy of {@code words} in the ABI's layout; bits at or above {@code size} are dropped. */
    public static SoftSet fromWords(long size, long[] words) {
        int n = wordsFor(size);
        if (words.length != n) {
            throw new IllegalArgumentException("a set of " + size + " PFNs has " + n + " words, got " + words.length);
        }
        return adopt(size, words.clone());
    }

    /** Wraps {@code words} without copying (codec-internal: the caller gives the array up). */
    static SoftSet adopt(long size, long[] words) {
        clearTail(size, words);
        return new SoftSet(size, words);
    }

    public static Builder builder(long size) {
        return new Builder(size);
    }

    /** Number of PFNs covered (not the number of members). */
    public long size() {
        return size;
    }

    public boolean contains(long pfn) {
        if (pfn < 0 || pfn >= size) {
            throw new IndexOutOfBoundsException("pfn " + pfn + " outside a set of " + size + " PFNs");
        }
        return (words[(int) (pfn >>> 6)] & (1L << pfn)) != 0;
    }

    /** Number of members. */
    public long cardinality() {
        long n = 0;
        for (long w : words) {
            n += Long.bitCount(w);
        }
        return n;
    }

    public boolean isEmpty() {
        for (long w : words) {
            if (w != 0) {
                return false;
            }
        }
        return true;
    }

    /** The first member at or after {@code from}, or -1. */
    public long nextSetBit(long from) {
        return next(from, false);
    }

    /** The first non-member at or after {@code from}, or {@code size} if there is none. */
    public long nextClearBit(long from) {
        long r = next(from, true);
        return r < 0 ? size : r;
    }

    private long next(long from, boolean clear) {
        if (from < 0) {
            from = 0;
        }
        if (from >= size) {
            return -1;
        }
        int i = (int) (from >>> 6);
        long w = (clear ? ~words[i] : words[i]) & (-1L << from);
        while (true) {
            if (w != 0) {
                long bit = ((long) i << 6) + Long.numberOfTrailingZeros(w);
                return bit < size ? bit : -1;
            }
            if (++i == words.length) {
                return -1;
            }
            w = clear ? ~words[i] : words[i];
        }
    }

    /** Receives maximal runs of members in ascending order. */
    @FunctionalInterface
    public interface RunConsumer {
        void accept(long start, long length);
    }

    /** Calls {@code consumer} with every maximal run {@code [start, start+length)} of members, ascending. */
    public void forEachRun(RunConsumer consumer) {
        long start = nextSetBit(0);
        while (start >= 0) {
            long end = nextClearBit(start);
            consumer.accept(start, end - start);
            start = end >= size ? -1 : nextSetBit(end);
        }
    }

    /** Number of maximal runs of members (the extent count of the set's compact form). */
    public long runCount() {
        long[] n = {0};
        forEachRun((s, l) -> n[0]++);
        return n[0];
    }

    /** this ∧ other, as a new set. */
    public SoftSet and(SoftSet other) {
        sameSize(other);
        long[] r = new long[words.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = words[i] & other.words[i];
        }
        return new SoftSet(size, r);
    }

    /** Whether every member of this set is a member of {@code other}. */
    public boolean isSubsetOf(SoftSet other) {
        sameSize(other);
        for (int i = 0; i < words.length; i++) {
            if ((words[i] & ~other.words[i]) != 0) {
                return false;
            }
        }
        return true;
    }

    /** A copy of the words: bit {@code pfn % 64} of word {@code pfn / 64}. */
    public long[] words() {
        return words.clone();
    }

    /**
     * A read-only view of the words as little-endian bytes, {@code 8 * wordsFor(size)} long, without a
     * copy on little-endian hosts. This is the layout {@code PageBitmap.copyFrom(MemorySegment)} reads.
     */
    public MemorySegment segment() {
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            return MemorySegment.ofArray(words).asReadOnly();
        }
        long[] swapped = new long[words.length];
        for (int i = 0; i < swapped.length; i++) {
            swapped[i] = Long.reverseBytes(words[i]);
        }
        return MemorySegment.ofArray(swapped).asReadOnly();
    }

    /** Word {@code i}, for encoders that stream the set without copying it. */
    long word(int i) {
        return words[i];
    }

    /** The backing array itself, for bulk copies by the codec; never modified through it. */
    long[] internalWords() {
        return words;
    }

    int wordCount() {
        return words.length;
    }

    private void sameSize(SoftSet other) {
        if (other.size != size) {
            throw new IllegalArgumentException("sets cover different PFN counts: " + size + " vs " + other.size);
        }
    }

    private static void checkSize(long size) {
        if (size < 0 || size > HintAreaLayout.MAX_PFN_COUNT) {
            throw new IllegalArgumentException("PFN count out of range 0.." + HintAreaLayout.MAX_PFN_COUNT + ": " + size);
        }
    }

    static void clearTail(long size, long[] words) {
        int rem = (int) (size & 63);
        if (rem != 0 && words.length > 0) {
            words[words.length - 1] &= (1L << rem) - 1;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SoftSet s && s.size == size && Arrays.equals(s.words, words);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(size) * 31 + Arrays.hashCode(words);
    }

    @Override
    public String toString() {
        return "SoftSet[size=" + size + ", members=" + cardinality() + "]";
    }

    /** Collects members, then freezes them into a {@link SoftSet}. Not thread-safe; single use. */
    public static final class Builder {
        private final long size;
        private long[] words;

        private Builder(long size) {
            this.size = size;
            this.words = new long[wordsFor(size)];
        }

        public Builder set(long pfn) {
            check(pfn);
            words[(int) (pfn >>> 6)] |= 1L << pfn;
            return this;
        }

        /** Adds {@code [from, to)}. */
        public Builder setRange(long from, long to) {
            if (from < 0 || to > size || from > to) {
                throw new IndexOutOfBoundsException("range [" + from + ", " + to + ") outside a set of " + size + " PFNs");
            }
            setRangeUnchecked(words, from, to);
            return this;
        }

        public SoftSet build() {
            if (words == null) {
                throw new IllegalStateException("builder already used");
            }
            SoftSet s = new SoftSet(size, words);
            words = null;
            return s;
        }

        private void check(long pfn) {
            if (words == null) {
                throw new IllegalStateException("builder already used");
            }
            if (pfn < 0 || pfn >= size) {
                throw new IndexOutOfBoundsException("pfn " + pfn + " outside a set of " + size + " PFNs");
            }
        }
    }

    /** Sets bits {@code [from, to)}; the caller has checked the bounds. */
    static void setRangeUnchecked(long[] words, long from, long to) {
        if (from >= to) {
            return;
        }
        int first = (int) (from >>> 6);
        int last = (int) ((to - 1) >>> 6);
        long firstMask = -1L << from;
        long lastMask = -1L >>> (63 - ((to - 1) & 63));
        if (first == last) {
            words[first] |= firstMask & lastMask;
            return;
        }
        words[first] |= firstMask;
        for (int i = first + 1; i < last; i++) {
            words[i] = -1L;
        }
        words[last] |= lastMask;
    }
}
