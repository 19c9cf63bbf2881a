package org.sonicmigration.migrate;

import java.time.Duration;
import java.util.Optional;

/**
 * The knobs of one migration. Defaults follow Xen's own saver (at most 5 live iterations, stop when
 * fewer than 50 pages are dirty, batches of 1024 frames), which {@code xl migrate} never lets users
 * change.
 *
 * @param maxIterations   live iterations after the first full pass before stop-and-copy
 * @param dirtyThreshold  stop iterating once fewer pages than this are dirty
 * @param batchPages      frames per PAGE_DATA record (1..1024)
 * @param bandwidth       optional cap on the stream's rate
 * @param suspendTimeout  how long the guest may take to suspend
 * @param live            false: suspend first and copy once (like {@code xl save})
 */
public record MigrationOptions(int maxIterations, long dirtyThreshold, int batchPages,
                               Optional<Bandwidth> bandwidth, Duration suspendTimeout, boolean live) {

    public static final int MAX_BATCH = 1024;

    public MigrationOptions {
        if (maxIterations < 0) {
            throw new IllegalArgumentException("max iterations must be >= 0, got " + maxIterations);
        }
        if (dirtyThreshold < 0) {
            throw new IllegalArgumentException("dirty threshold must be >= 0, got " + dirtyThreshold);
        }
        if (batchPages < 1 || batchPages > MAX_BATCH) {
            throw new IllegalArgumentException("batch must be 1.." + MAX_BATCH + " pages, got " + batchPages);
        }
    }

    public static MigrationOptions defaults() {
        return new MigrationOptions(5, 50, MAX_BATCH, Optional.empty(), Duration.ofSeconds(30), true);
    }

    public MigrationOptions withMaxIterations(int n) {
        return new MigrationOptions(n, dirtyThreshold, batchPages, bandwidth, suspendTimeout, live);
    }

    public MigrationOptions withDirtyThreshold(long n) {
        return new MigrationOptions(maxIterations, n, batchPages, bandwidth, suspendTimeout, live);
    }

    public MigrationOptions withBandwidth(Optional<Bandwidth> b) {
        return new MigrationOptions(maxIterations, dirtyThreshold, batchPages, b, suspendTimeout, live);
    }

    public MigrationOptions withSuspendTimeout(Duration d) {
        return new MigrationOptions(maxIterations, dirtyThreshold, batchPages, bandwidth, d, live);
    }

    public MigrationOptions withLive(boolean l) {
        return new MigrationOptions(maxIterations, dirtyThreshold, batchPages, bandwidth, suspendTimeout, l);
    }
}
