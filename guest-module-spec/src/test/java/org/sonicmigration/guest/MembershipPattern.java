package org.sonicmigration.guest;

/**
 * The set-membership function the C conformance writer uses ({@code member()} in
 * {@code conformance_writer.c}), so the Java side knows every bit the C side wrote.
 */
final class MembershipPattern {

    static final int LIVE = 0;
    static final int FINAL = 1;
    static final int REFERENCED = 2;
    private static final long[] BLOCK = {1, 4, 7};

    private MembershipPattern() {
    }

    static long mix(long x) {
        x += 0x9E3779B97F4A7C15L;
        x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        return x ^ (x >>> 31);
    }

    static boolean member(long seed, int set, long pfn) {
        return Long.remainderUnsigned(mix(mix(seed + set) ^ (pfn / BLOCK[set])), 3) == 0;
    }

    /** The set over {@code size} PFNs, computed pfn by pfn without any codec code. */
    static SoftSet set(long seed, int set, long pfnCount, long size) {
        SoftSet.Builder b = SoftSet.builder(size);
        for (long p = 0; p < pfnCount; p++) {
            if (member(seed, set, p)) {
                b.set(p);
            }
        }
        return b.build();
    }
}
