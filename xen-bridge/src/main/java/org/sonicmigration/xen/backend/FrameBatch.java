package org.sonicmigration.xen.backend;

import java.lang.foreign.MemorySegment;

import org.sonicmigration.ffi.xenctrl_h;
import org.sonicmigration.spi.SourceDomain;

/**
 * One batch of frames split by their Xen page types into those to map and those to report as holes
 * without a mapping attempt ({@code XEN_DOMCTL_PFINFO_XTAB}, and {@code _BROKEN}, whose frames must
 * not be read). The frames to map are packed in batch order; after they are copied packed into the
 * destination, {@link #spread} moves each page to its slot in the batch.
 *
 * @param frames   the frames to map, packed (valid up to {@code mappable})
 * @param slots    for each packed frame, its index in the batch
 * @param mappable how many frames are to be mapped
 * @param count    the batch size
 * @param unmapped for each slot of the batch, what a frame that is not mapped reports
 *                 ({@link SourceDomain#FRAME_HOLE} or {@link SourceDomain#FRAME_BROKEN}); 0 for mapped ones
 */
record FrameBatch(long[] frames, int[] slots, int mappable, int count, int[] unmapped) {

    private static final long XTAB = Integer.toUnsignedLong(xenctrl_h.XEN_DOMCTL_PFINFO_XTAB());
    private static final long BROKEN = Integer.toUnsignedLong(xenctrl_h.XEN_DOMCTL_PFINFO_BROKEN());

    /** Whether a frame of this Xen page type is the guest's own RAM (not a hole, not broken). */
    static boolean isGuestRam(long type) {
        return type != XTAB && type != BROKEN;
    }

    static FrameBatch of(long[] pfns, long[] types, int count) {
        long[] frames = new long[count];
        int[] slots = new int[count];
        int[] unmapped = new int[count];
        int n = 0;
        for (int i = 0; i < count; i++) {
            if (isGuestRam(types[i])) {
                frames[n] = pfns[i];
                slots[n++] = i;
            } else {
                unmapped[i] = types[i] == BROKEN ? SourceDomain.FRAME_BROKEN : SourceDomain.FRAME_HOLE;
            }
        }
        return new FrameBatch(frames, slots, n, count, unmapped);
    }

    /**
     * Moves the packed pages in {@code dst} (page {@code k} at {@code k * pageSize}) to their batch slots
     * and fills {@code errors} for the whole batch: the map's error for mapped frames (a negative errno
     * when a page of guest RAM would not map), the frame's kind for the others. Works from the last page back, as each page only moves up ({@code slots[k] >= k}).
     */
    void spread(MemorySegment dst, long pageSize, int[] mapErrors, int[] errors) {
        System.arraycopy(unmapped, 0, errors, 0, count);
        for (int k = mappable - 1; k >= 0; k--) {
            int slot = slots[k];
            errors[slot] = mapErrors[k];
            if (slot != k && mapErrors[k] == 0) {
                MemorySegment.copy(dst, k * pageSize, dst, slot * pageSize, pageSize);
            }
        }
    }
}
