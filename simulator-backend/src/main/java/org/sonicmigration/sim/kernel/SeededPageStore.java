package org.sonicmigration.sim.kernel;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Generates content on read from the content seed in the frame's metadata word: no bytes per page at all.
 * Pages written with explicit bytes (rare: tests, corruption experiments) are kept verbatim, up to a bound.
 */
final class SeededPageStore implements PageStore {

    /** Most pages that may hold explicit bytes at once (256 MiB). */
    static final int MAX_EXPLICIT_PAGES = 65536;

    private final ConcurrentHashMap<Long, byte[]> explicit = new ConcurrentHashMap<>();

    @Override
    public PageStoreMode mode() {
        return PageStoreMode.SEEDED;
    }

    @Override
    public void write(long pfn, boolean zero, long seed) {
        explicit.remove(pfn);
    }

    @Override
    public void writeBytes(long pfn, boolean isExplicit, boolean zero, long seed, int offset, byte[] data) {
        byte[] page = isExplicit ? explicit.get(pfn) : null;
        byte[] copy = new byte[PageContent.PAGE_SIZE];
        if (page != null) {
            System.arraycopy(page, 0, copy, 0, copy.length);
        } else {
            if (explicit.size() >= MAX_EXPLICIT_PAGES) {
                throw new SimulatorException("seeded store holds " + MAX_EXPLICIT_PAGES
                        + " pages of explicit bytes already; use the real-bytes store for byte-level writes");
            }
            if (!zero) {
                PageContent.generate(seed, copy, 0);
            }
        }
        System.arraycopy(data, 0, copy, offset, data.length);
        // replace, never mutate in place: readers may be copying the old array right now
        explicit.put(pfn, copy);
    }

    @Override
    public void read(long pfn, boolean isExplicit, boolean zero, long seed, MemorySegment dst, long off) {
        if (isExplicit) {
            byte[] page = explicit.get(pfn);
            if (page != null) {
                MemorySegment.copy(MemorySegment.ofArray(page), 0, dst, off, PageContent.PAGE_SIZE);
                return;
            }
        }
        if (zero) {
            dst.asSlice(off, PageContent.PAGE_SIZE).fill((byte) 0);
        } else {
            PageContent.generate(seed, dst, off);
        }
    }

    @Override
    public long fingerprint(long pfn, boolean isExplicit, boolean zero, long seed) {
        if (isExplicit) {
            byte[] page = explicit.get(pfn);
            if (page != null) {
                return PageContent.fingerprint(page, 0);
            }
        }
        return zero ? PageContent.ZERO_FINGERPRINT : PageContent.fingerprintOfSeed(seed);
    }

    @Override
    public long storedBytes() {
        return (long) explicit.size() * PageContent.PAGE_SIZE;
    }
}
