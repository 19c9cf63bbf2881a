package org.sonicmigration.sim.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Deterministic page content and page fingerprints. A page's 4096 bytes are 512 little-endian 64-bit words
 * drawn from a SplitMix64 sequence started at a 64-bit content seed, so content is generated on demand
 * (fast, no storage) and is the same on every host that knows the seed. The fingerprint is a 64-bit hash of
 * the 4096 bytes, whatever produced them, so generated and stored pages compare by the same function.
 */
public final class PageContent {

    public static final int PAGE_SIZE = 4096;
    static final int WORDS = PAGE_SIZE / 8;
    static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final long FP_SEED = 0x2545F4914F6CDD1DL;
    private static final ThreadLocal<long[]> SCRATCH = ThreadLocal.withInitial(() -> new long[WORDS]);

    /** Fingerprint of an all-zero page. */
    public static final long ZERO_FINGERPRINT = fingerprint(MemorySegment.ofArray(new byte[PAGE_SIZE]), 0);

    private PageContent() {
    }

    /** Stafford's mix13 finalizer: a bijective 64-bit mix. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Combines values into one content seed (order matters). */
    public static long seed(long a, long b, long c) {
        return mix(mix(mix(a + GOLDEN) ^ b) + c * GOLDEN);
    }

    /** Writes the page generated from {@code seed} (which should be well mixed) to {@code dst} at {@code offset}. */
    static void generate(long seed, MemorySegment dst, long offset) {
        long[] w = SCRATCH.get();
        fill(seed, w);
        MemorySegment.copy(w, 0, dst, LE_LONG, offset, WORDS);
    }

    /** Writes the page generated from {@code seed} into {@code dst[offset .. offset+4096)}. */
    public static void generate(long seed, byte[] dst, int offset) {
        generate(seed, MemorySegment.ofArray(dst), offset);
    }

    private static void fill(long seed, long[] w) {
        long x = seed;
        for (int i = 0; i < WORDS; i++) {
            x += GOLDEN;
            w[i] = word(x);
        }
    }

    /** One content word: a single multiply-xorshift round, enough to make pages distinct and incompressible. */
    private static long word(long x) {
        long z = (x ^ (x >>> 32)) * 0xD6E8FEB86659FD93L;
        return z ^ (z >>> 32);
    }

    /** Fingerprint of the page generated from {@code seed}, without materialising it. */
    public static long fingerprintOfSeed(long seed) {
        long x = seed;
        long h = FP_SEED;
        for (int i = 0; i < WORDS; i++) {
            x += GOLDEN;
            h = step(h, word(x), i);
        }
        return finish(h);
    }

    /** Fingerprint of the 4096 bytes at {@code offset} of {@code page}. */
    public static long fingerprint(MemorySegment page, long offset) {
        long h = FP_SEED;
        for (int i = 0; i < WORDS; i++) {
            h = step(h, page.get(LE_LONG, offset + 8L * i), i);
        }
        return finish(h);
    }

    /** Fingerprint of the 4096 bytes at {@code offset} of {@code page}. */
    public static long fingerprint(byte[] page, int offset) {
        return fingerprint(MemorySegment.ofArray(page), offset);
    }

    private static long step(long h, long w, int i) {
        return Long.rotateLeft(h ^ ((w + i) * 0xC2B2AE3D27D4EB4FL), 31) * GOLDEN;
    }

    private static long finish(long h) {
        return mix(h);
    }
}
