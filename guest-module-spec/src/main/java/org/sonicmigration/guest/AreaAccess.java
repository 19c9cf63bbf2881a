package org.sonicmigration.guest;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * The ordered 64-bit accesses of the seqlock and the handshake word, on any segment: an aligned segment
 * gets real acquire/release accesses, anything else (a byte[] heap segment in a test, say) a plain access
 * with the matching fence. The data in between is copied with ordinary accesses.
 */
final class AreaAccess {

    private static final VarHandle U64 = HintAreaLayout.U64.varHandle();

    private AreaAccess() {
    }

    private static boolean aligned(MemorySegment s, long offset) {
        return s.maxByteAlignment() >= Long.BYTES && ((s.address() + offset) & 7) == 0;
    }

    /** Load, then nothing after it moves before it (seqlock read begin, handshake word read). */
    static long loadAcquire(MemorySegment s, long offset) {
        if (aligned(s, offset)) {
            return (long) U64.getAcquire(s, offset);
        }
        long v = s.get(HintAreaLayout.U64_UNALIGNED, offset);
        VarHandle.acquireFence();
        return v;
    }

    /** Every load before this one completes first (seqlock read end: re-reading the generation). */
    static long loadAfterCopy(MemorySegment s, long offset) {
        VarHandle.loadLoadFence();
        if (aligned(s, offset)) {
            return (long) U64.getOpaque(s, offset);
        }
        return s.get(HintAreaLayout.U64_UNALIGNED, offset);
    }

    /** Store, then no later store moves before it (seqlock write begin). */
    static void storeThenFence(MemorySegment s, long offset, long value) {
        if (aligned(s, offset)) {
            U64.setOpaque(s, offset, value);
        } else {
            s.set(HintAreaLayout.U64_UNALIGNED, offset, value);
        }
        VarHandle.storeStoreFence();
    }

    /** Every earlier store completes first, then this one (seqlock write end, handshake publication). */
    static void storeRelease(MemorySegment s, long offset, long value) {
        if (aligned(s, offset)) {
            U64.setRelease(s, offset, value);
        } else {
            VarHandle.releaseFence();
            s.set(HintAreaLayout.U64_UNALIGNED, offset, value);
        }
    }
}
