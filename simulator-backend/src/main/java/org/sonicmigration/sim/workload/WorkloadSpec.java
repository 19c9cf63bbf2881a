package org.sonicmigration.sim.workload;

import org.sonicmigration.sim.kernel.SimFile;
import org.sonicmigration.sim.kernel.SimulatorException;

/**
 * A program running in a simulated guest, as configuration. Each one becomes a deterministic step function
 * driven by the guest's clock; its random choices come from the guest seed and its start order. Rates are in
 * guest time.
 */
public sealed interface WorkloadSpec {

    long MIB = 1L << 20;

    /** Reads {@code bytes} of files of {@code fileBytes} each into the page cache at {@code bytesPerSecond} (cat f* > /dev/null). */
    record FillCache(long bytes, long fileBytes, long bytesPerSecond) implements WorkloadSpec {
        public FillCache {
            positive("fill-cache bytes", bytes);
            positive("fill-cache file size", fileBytes);
            positive("fill-cache rate", bytesPerSecond);
            fitsTheDisk(fileBytes);
        }
    }

    /** Allocates and touches {@code bytes} of anonymous memory at {@code bytesPerSecond}, then holds it until stopped. */
    record AllocateAnon(long bytes, long bytesPerSecond) implements WorkloadSpec {
        public AllocateAnon {
            positive("anon bytes", bytes);
            positive("anon allocation rate", bytesPerSecond);
        }
    }

    /** Allocates a hot set of {@code hotSetBytes} of anonymous memory, then rewrites random pages of it at {@code pagesPerSecond}. */
    record RandomWriter(long hotSetBytes, long pagesPerSecond) implements WorkloadSpec {
        public RandomWriter {
            positive("hot set bytes", hotSetBytes);
            if (pagesPerSecond < 0) {
                throw new SimulatorException("dirty rate must be >= 0 pages/s, got " + pagesPerSecond);
            }
        }
    }

    /**
     * Postmark-like churn over a pool of about {@code files} small files of {@code minFileBytes..maxFileBytes}:
     * creates, deletes, reads and rewrites files at {@code transactionsPerSecond}; written pages are dirty
     * cache until writeback.
     */
    record FileChurn(int files, long minFileBytes, long maxFileBytes, long transactionsPerSecond) implements WorkloadSpec {
        public FileChurn {
            positive("churn file count", files);
            positive("churn min file size", minFileBytes);
            if (maxFileBytes < minFileBytes) {
                throw new SimulatorException("churn max file size " + maxFileBytes + " < min " + minFileBytes);
            }
            if (maxFileBytes / 4096 > SimFile.MAX_PAGES) {
                throw new SimulatorException("churn file size too large: " + maxFileBytes);
            }
            positive("churn transaction rate", transactionsPerSecond);
        }
    }

    /**
     * Memory churn, as a program that keeps recycling its heap: allocates and touches a pool of {@code poolBytes}
     * of anonymous memory, then at {@code pagesPerSecond} allocates a fresh page, writes it and frees a random
     * page of the pool in its place. The fresh pages come from the guest's free memory, so pages a guest module
     * listed as free in a final soft set get allocated and written between the handshake and the pause.
     */
    record MemoryChurn(long poolBytes, long pagesPerSecond) implements WorkloadSpec {
        public MemoryChurn {
            positive("memory churn pool bytes", poolBytes);
            positive("memory churn rate", pagesPerSecond);
            if (poolBytes / 4096 > Integer.MAX_VALUE - 8) {
                throw new SimulatorException("memory churn pool too large: " + poolBytes + " bytes");
            }
        }
    }

    /**
     * A program that keeps re-reading a hot set of files: it reads {@code hotBytes} of files of {@code fileBytes}
     * each, then loops over them for ever. A page in the page cache costs it the time of a memory copy at
     * {@code cachedBytesPerSecond}; a page that is not (dropped, reclaimed) is read back from the disk at
     * {@code diskBytesPerSecond}. Started after the rest of the cache is filled, its pages are the newest of the
     * page-cache LRU, which a module publishing a referenced set names as recently referenced.
     */
    record HotReread(long hotBytes, long fileBytes, long diskBytesPerSecond, long cachedBytesPerSecond)
            implements WorkloadSpec {
        public HotReread {
            positive("hot-reread bytes", hotBytes);
            positive("hot-reread file size", fileBytes);
            positive("hot-reread disk rate", diskBytesPerSecond);
            positive("hot-reread cached rate", cachedBytesPerSecond);
            fitsTheDisk(fileBytes);
            if (hotBytes / 4096 > Integer.MAX_VALUE - 8) {
                throw new SimulatorException("hot set too large: " + hotBytes + " bytes");
            }
        }
    }

    /**
     * Re-reads a hot set of {@code hotBytes} in 64 MiB files: misses at the 96 MiB/s the measured 6.1 guest read
     * its files at, hits at 4 GiB/s (a 4 KiB copy from the page cache).
     */
    static HotReread hotReread(long hotBytes) {
        return new HotReread(hotBytes, 64 * MIB, 96 * MIB, 4096 * MIB);
    }

    /** Reads {@code bytes} of files at 96 MiB/s (the measured 6.1 guest read 2 GiB in 22 s) in 256 MiB files. */
    static FillCache fillCache(long bytes) {
        return new FillCache(bytes, 256 * MIB, 96 * MIB);
    }

    /** Allocates {@code bytes} at 1 GiB/s. */
    static AllocateAnon allocateAnon(long bytes) {
        return new AllocateAnon(bytes, 1024 * MIB);
    }

    static RandomWriter randomWriter(long hotSetBytes, long pagesPerSecond) {
        return new RandomWriter(hotSetBytes, pagesPerSecond);
    }

    /** Recycles {@code pagesPerSecond} pages of a 16 MiB pool. */
    static MemoryChurn memoryChurn(long pagesPerSecond) {
        return new MemoryChurn(16 * MIB, pagesPerSecond);
    }

    /** 500 files of 0.5..16 KiB at 2000 transactions/s. */
    static FileChurn fileChurn() {
        return new FileChurn(500, 512, 16384, 2000);
    }

    private static void fitsTheDisk(long fileBytes) {
        if (fileBytes / 4096 > SimFile.MAX_PAGES) {
            throw new SimulatorException("file size " + fileBytes + " exceeds the simulated disk's limit of "
                    + SimFile.MAX_PAGES * 4096 + " bytes");
        }
    }

    private static void positive(String what, long v) {
        if (v <= 0) {
            throw new SimulatorException(what + " must be > 0, got " + v);
        }
    }
}
