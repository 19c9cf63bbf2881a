package org.sonicmigration.sim.kernel;

import java.lang.foreign.MemorySegment;

/**
 * Where page bytes live. The frame metadata ({@link Meta}) always says what a page's content is; a store
 * either keeps the bytes ({@link RealPageStore}) or regenerates them from the content seed on every read
 * ({@link SeededPageStore}). Both give the same bytes for the same history of writes. Writes come from the
 * guest's single vCPU context; reads may come from any thread at any time (a torn read of a page being
 * written is allowed, as on hardware: the dirty log reports that page again).
 */
sealed interface PageStore permits RealPageStore, SeededPageStore {

    PageStoreMode mode();

    /** Records that the page now holds generated content ({@code zero}: all zeros, else from {@code seed}). */
    void write(long pfn, boolean zero, long seed);

    /**
     * Overwrites {@code data} at {@code offset} inside the page, whose current content is described by
     * {@code zero}/{@code seed} or, if {@code explicit}, by bytes the store already holds.
     */
    void writeBytes(long pfn, boolean explicit, boolean zero, long seed, int offset, byte[] data);

    /** Copies the page to {@code dst} at {@code off}. */
    void read(long pfn, boolean explicit, boolean zero, long seed, MemorySegment dst, long off);

    /** Fingerprint of the page (see {@link PageContent#fingerprint}). */
    long fingerprint(long pfn, boolean explicit, boolean zero, long seed);

    /** Bytes of content storage the store holds now, beyond the per-frame metadata word. */
    long storedBytes();
}
