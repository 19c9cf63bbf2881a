package org.sonicmigration.guest.profile;

import static org.sonicmigration.guest.profile.KpageFlag.bit;

/**
 * Classifies one guest frame from its {@code /proc/kpageflags} word and its {@code /proc/kpagecount} word,
 * with the rules of the 6.1 guest profiles applied in their order (first match wins): NOPAGE, BUDDY, SLAB,
 * PGTABLE, ANON, SWAPBACKED, then LRU file pages (dirty/writeback/locked, mapped, clean), RESERVED, and
 * finally the unflagged and flagged leftovers.
 */
public final class KpageflagsClassifier {

    private static final long DIRTY_WB_LOCKED =
            bit(KpageFlag.DIRTY) | bit(KpageFlag.WRITEBACK) | bit(KpageFlag.LOCKED);

    private KpageflagsClassifier() {
    }

    /**
     * @param flags the kpageflags word of the frame
     * @param count the kpagecount word (the map count; 0 when unmapped)
     */
    public static PageClass classify(long flags, long count) {
        if (has(flags, KpageFlag.NOPAGE)) {
            return PageClass.HOLE;
        }
        if (has(flags, KpageFlag.BUDDY)) {
            return PageClass.FREE;
        }
        if (has(flags, KpageFlag.SLAB)) {
            return PageClass.SLAB;
        }
        if (has(flags, KpageFlag.PGTABLE)) {
            return PageClass.PAGE_TABLE;
        }
        if (has(flags, KpageFlag.ANON)) {
            return PageClass.ANON;
        }
        if (has(flags, KpageFlag.SWAPBACKED)) {
            return PageClass.SHMEM;
        }
        if (has(flags, KpageFlag.LRU)) {
            if ((flags & DIRTY_WB_LOCKED) != 0) {
                return PageClass.FILE_DIRTY;
            }
            // kpagecount is unsigned in the kernel; any non-zero value means mapped
            if (count != 0 || has(flags, KpageFlag.MMAP)) {
                return PageClass.FILE_MAPPED;
            }
            return PageClass.CLEAN_CACHE;
        }
        if (has(flags, KpageFlag.RESERVED)) {
            return PageClass.RESERVED;
        }
        return flags == 0 ? PageClass.OTHER_UNFLAGGED : PageClass.OTHER_FLAGGED;
    }

    private static boolean has(long flags, int flag) {
        return (flags & bit(flag)) != 0;
    }
}
