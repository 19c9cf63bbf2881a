package org.sonicmigration.sim.kernel;

import java.util.Arrays;

/**
 * One file of the simulated disk: its size in pages, the version of each page on disk (absent for files
 * that were never written since creation, whose pages are all version 0) and, for the page cache, which
 * frame caches each page ({@code -1}: not cached). Programs hold files; the kernel reads and writes them.
 */
public final class SimFile {
    /** The largest file the disk model holds, in pages. */
    public static final long MAX_PAGES = Meta.MAX_FILE_PAGES;
    final long id;
    final int pages;
    private short[] diskVersions;
    private final int[] cachedPfn;
    boolean deleted;

    SimFile(long id, int pages) {
        this.id = id;
        this.pages = pages;
        this.cachedPfn = new int[pages];
        Arrays.fill(cachedPfn, -1);
    }

    /** Size in pages. */
    public int pages() {
        return pages;
    }

    int diskVersion(long offset) {
        return diskVersions == null ? 0 : diskVersions[(int) offset];
    }

    void setDiskVersion(long offset, int version) {
        if (diskVersions == null) {
            diskVersions = new short[pages];
        }
        diskVersions[(int) offset] = (short) version;
    }

    /** Whether page {@code offset} is in the page cache (or on its way in). */
    public boolean isCached(long offset) {
        return cachedPfn[(int) offset] >= 0;
    }

    long cachedPfn(long offset) {
        return cachedPfn[(int) offset];
    }

    void setCached(long offset, long pfn) {
        cachedPfn[(int) offset] = (int) pfn;
    }
}
