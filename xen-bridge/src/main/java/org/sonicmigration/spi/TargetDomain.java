package org.sonicmigration.spi;

import java.lang.foreign.MemorySegment;

/**
 * The destination domain a receiver restores into. It is created paused and stays paused until
 * {@link #unpause()}; {@link #destroy()} discards it after a failed migration.
 */
public interface TargetDomain extends AutoCloseable {

    DomainInfo info();

    /** Populates frames and copies their content: frame {@code pfns[i]} from offset {@code i * pageSize}. */
    void writeFrames(long[] pfns, int count, MemorySegment src);

    /** Populates frames without content (a stream's "allocate, no data" pages). */
    void populate(long[] pfns, int count);

    /** Installs vCPU and platform state; called once, after all pages. */
    void restoreState(PlatformState state);

    void unpause();

    /** Throws the half-built domain away. */
    void destroy();

    @Override
    void close();
}
