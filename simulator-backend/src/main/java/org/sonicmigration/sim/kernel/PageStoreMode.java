package org.sonicmigration.sim.kernel;

/**
 * How a simulated guest holds page content: {@link #REAL} keeps every written byte in memory (writes really
 * change bytes), {@link #SEEDED} keeps only a per-page content descriptor and generates bytes on read, so
 * that guests far larger than the host fit; {@link #AUTO} picks real bytes up to 1 GiB of guest memory.
 */
public enum PageStoreMode {
    REAL, SEEDED, AUTO;

    /** Largest guest that {@link #AUTO} stores with real bytes. */
    public static final long AUTO_REAL_LIMIT_BYTES = 1L << 30;

    public PageStoreMode resolve(long memoryBytes) {
        if (this != AUTO) {
            return this;
        }
        return memoryBytes <= AUTO_REAL_LIMIT_BYTES ? REAL : SEEDED;
    }
}
