package org.sonicmigration.sim.kernel;

import org.sonicmigration.guest.profile.PageClass;

/**
 * The simulated guest kernel's state of one frame: what Linux would know about the page (buddy allocator,
 * per-cpu free lists, anon, slab, page tables, reserved, page cache in its clean/dirty/writeback/locked
 * states, shmem), plus the frames that are no guest RAM at all (holes, Xen's special pages). Each state maps
 * to the {@link PageClass} that {@code /proc/kpageflags} would report for it.
 */
public enum PageState {
    /** Free in the buddy allocator. */
    FREE(PageClass.FREE),
    /** Free but parked on a per-cpu list: not BUDDY, so it looks like an unflagged kernel page. */
    PCP_FREE(PageClass.OTHER_UNFLAGGED),
    ANON(PageClass.ANON),
    SLAB(PageClass.SLAB),
    PAGE_TABLE(PageClass.PAGE_TABLE),
    RESERVED(PageClass.RESERVED),
    /** Kernel allocations without flags: vmalloc, stacks, percpu chunks. */
    KERNEL(PageClass.OTHER_UNFLAGGED),
    /** Non-slab compound kernel allocations (kmalloc_large). */
    KERNEL_COMPOUND(PageClass.OTHER_FLAGGED),
    SHMEM(PageClass.SHMEM),
    /** Page cache, up to date, not dirty, not mapped: equal to the disk. */
    CACHE_CLEAN(PageClass.CLEAN_CACHE),
    /** Page cache mapped into a process. */
    CACHE_MAPPED(PageClass.FILE_MAPPED),
    /** Page cache written by the guest and not yet written back. */
    CACHE_DIRTY(PageClass.FILE_DIRTY),
    /** Page cache being written to disk. */
    CACHE_WRITEBACK(PageClass.FILE_DIRTY),
    /** Page cache being read from disk: allocated, I/O in flight, content not yet there. */
    CACHE_LOCKED(PageClass.FILE_DIRTY),
    /** Not RAM: no frame at this pfn. */
    HOLE(PageClass.HOLE),
    /** A frame outside guest RAM that the toolstack populated (Xen's special pages, ACPI tables); no RAM to Linux. */
    XEN_SPECIAL(PageClass.HOLE),
    /**
     * Free memory the hint module took out of the allocator for a final soft set (SPEC.md §5 "held"): allocated
     * without flags as far as {@code /proc/kpageflags} can tell, holding no data, given back on release.
     */
    HELD(PageClass.OTHER_UNFLAGGED);

    private static final PageState[] VALUES = values();

    private final PageClass pageClass;

    PageState(PageClass pageClass) {
        this.pageClass = pageClass;
    }

    /** The class {@code /proc/kpageflags} would report. */
    public PageClass pageClass() {
        return pageClass;
    }

    /** A page-cache state (any of the CACHE_* states). */
    public boolean isCache() {
        return this == CACHE_CLEAN || this == CACHE_MAPPED || this == CACHE_DIRTY || this == CACHE_WRITEBACK
                || this == CACHE_LOCKED;
    }

    /** Free in either free pool (held pages are not: the allocator cannot hand them out). */
    public boolean isFree() {
        return this == FREE || this == PCP_FREE;
    }

    /** A populated frame (anything but a hole). */
    public boolean isPopulated() {
        return this != HOLE;
    }

    static PageState ofOrdinal(int o) {
        return VALUES[o];
    }

    /** The state a replayed profile class starts in. */
    public static PageState forClass(PageClass c) {
        return switch (c) {
            case HOLE -> HOLE;
            case FREE -> FREE;
            case SLAB -> SLAB;
            case PAGE_TABLE -> PAGE_TABLE;
            case ANON -> ANON;
            case SHMEM -> SHMEM;
            case FILE_DIRTY -> CACHE_DIRTY;
            case FILE_MAPPED -> CACHE_MAPPED;
            case CLEAN_CACHE -> CACHE_CLEAN;
            case RESERVED -> RESERVED;
            case OTHER_UNFLAGGED -> KERNEL;
            case OTHER_FLAGGED -> KERNEL_COMPOUND;
        };
    }
}
