package org.sonicmigration.sim.kernel;

/**
 * What a frame's content is worth after a migration, by its kernel state at the moment of suspend (SPEC.md
 * §3): {@link #HARD} content must arrive unchanged; {@link #CLEAN_CACHE} content can be re-read from disk, so
 * it must arrive equal to its file's content on disk; {@link #FREE} content (free in either pool, or held by
 * the hint module) means nothing; {@link #HOLE} is no frame at all. The soft verification mode and the hint
 * module's tests judge pages by this classification.
 */
public enum PageCategory {
    HARD, CLEAN_CACHE, FREE, HOLE;

    /** The category of a frame in state {@code s}. */
    public static PageCategory of(PageState s) {
        return switch (s) {
            case HOLE -> HOLE;
            case FREE, PCP_FREE, HELD -> FREE;
            case CACHE_CLEAN -> CLEAN_CACHE;
            case ANON, SLAB, PAGE_TABLE, RESERVED, KERNEL, KERNEL_COMPOUND, SHMEM, CACHE_MAPPED, CACHE_DIRTY,
                 CACHE_WRITEBACK, CACHE_LOCKED, XEN_SPECIAL -> HARD;
        };
    }
}
