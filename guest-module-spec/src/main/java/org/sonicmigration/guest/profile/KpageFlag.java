package org.sonicmigration.guest.profile;

/**
 * Bit numbers of the {@code /proc/kpageflags} word (Linux {@code include/uapi/linux/kernel-page-flags.h}
 * and the kernel-internal bits of {@code include/linux/kernel-page-flags.h}), as far as classification
 * and the simulator's synthetic flag words need them.
 */
public final class KpageFlag {
    public static final int LOCKED = 0;
    public static final int REFERENCED = 2;
    public static final int UPTODATE = 3;
    public static final int DIRTY = 4;
    public static final int LRU = 5;
    public static final int ACTIVE = 6;
    public static final int SLAB = 7;
    public static final int WRITEBACK = 8;
    public static final int BUDDY = 10;
    public static final int MMAP = 11;
    public static final int ANON = 12;
    public static final int SWAPBACKED = 14;
    public static final int COMPOUND_HEAD = 15;
    public static final int COMPOUND_TAIL = 16;
    public static final int NOPAGE = 20;
    public static final int THP = 22;
    public static final int PGTABLE = 26;
    public static final int RESERVED = 32;
    public static final int MAPPEDTODISK = 34;
    public static final int PRIVATE = 35;

    private KpageFlag() {
    }

    /** The mask of one bit. */
    public static long bit(int flag) {
        return 1L << flag;
    }
}
