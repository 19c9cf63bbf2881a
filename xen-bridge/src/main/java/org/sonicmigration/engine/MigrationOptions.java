package org.sonicmigration.engine;

import org.sonicmigration.transport.Bandwidth;
import java.time.Duration;
import java.util.Optional;

/**
 * The knobs of one migration. Defaults follow Xen's own saver (at most 5 live passes, the first full one
 * included; stop when fewer than 50 pages are dirty; batches of 1024 frames), which {@code xl migrate}
 * never lets users change, plus SonicMigration's soft-page policy (on by default: pages the guest calls soft are not
 * sent).
 *
 * @param maxIterations    live passes in all, the first full pass included, before stop-and-copy (Xen: 5)
 * @param dirtyThreshold   stop iterating once fewer pages than this are dirty
 * @param batchPages       frames per PAGE_DATA record (1..1024)
 * @param bandwidth        optional cap on the stream's rate
 * @param suspendTimeout   how long the guest may take to suspend
 * @param live             false: suspend first and copy once (like {@code xl save})
 * @param soft             which soft pages may stay unsent
 * @param retainHot        send the pages the guest marks recently referenced early instead of letting
 *                         it drop them, so its hottest cache arrives warm
 * @param handshakeTimeout how long the guest may take to give its final soft set (SPEC: 2 s)
 * @param stopWhenNotShrinking also stop iterating when a pass leaves at least as many dirty pages as the one
 *                         before: SonicMigration's own rule, off by default (Xen's saver has only the
 *                         threshold and the iteration budget)
 * @param verifyHints      check what the guest calls soft against what dom0 sees itself (pages the dirty log
 *                         shows written in each of the last two rounds) and fall back to plain pre-copy for a
 *                         guest caught lying; off by default (it costs three bitmaps of the guest's frames)
 */
public record MigrationOptions(int maxIterations, long dirtyThreshold, int batchPages,
                               Optional<Bandwidth> bandwidth, Duration suspendTimeout, boolean live,
                               SoftPolicy soft, boolean retainHot, Duration handshakeTimeout,
                               boolean stopWhenNotShrinking, boolean verifyHints) {

    public static final int MAX_BATCH = 1024;

    public MigrationOptions {
        if (maxIterations < 1) {
            throw new IllegalArgumentException("max iterations must be >= 1, got " + maxIterations);
        }
        if (dirtyThreshold < 0) {
            throw new IllegalArgumentException("dirty threshold must be >= 0, got " + dirtyThreshold);
        }
        if (batchPages < 1 || batchPages > MAX_BATCH) {
            throw new IllegalArgumentException("batch must be 1.." + MAX_BATCH + " pages, got " + batchPages);
        }
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("handshake timeout must be positive, got " + handshakeTimeout);
        }
    }

    public MigrationOptions(int maxIterations, long dirtyThreshold, int batchPages, Optional<Bandwidth> bandwidth,
                            Duration suspendTimeout, boolean live, SoftPolicy soft, boolean retainHot,
                            Duration handshakeTimeout, boolean stopWhenNotShrinking) {
        this(maxIterations, dirtyThreshold, batchPages, bandwidth, suspendTimeout, live, soft, retainHot, handshakeTimeout,
                stopWhenNotShrinking, false);
    }

    public static MigrationOptions defaults() {
        return new MigrationOptions(5, 50, MAX_BATCH, Optional.empty(), Duration.ofSeconds(30), true,
                SoftPolicy.FREE_AND_CACHE, false, Duration.ofSeconds(2), false);
    }

    public MigrationOptions withMaxIterations(int n) {
        return new MigrationOptions(n, dirtyThreshold, batchPages, bandwidth, suspendTimeout, live, soft, retainHot,
                handshakeTimeout, stopWhenNotShrinking, verifyHints);
    }

    public MigrationOptions withDirtyThreshold(long n) {
        return new MigrationOptions(maxIterations, n, batchPages, bandwidth, suspendTimeout, live, soft, retainHot,
                handshakeTimeout, stopWhenNotShrinking, verifyHints);
    }

    public MigrationOptions withBandwidth(Optional<Bandwidth> b) {
        return new MigrationOptions(maxIterations, dirtyThreshold, batchPages, b, suspendTimeout, live, soft, retainHot,
                handshakeTimeout, stopWhenNotShrinking, verifyHints);
    }

    public MigrationOptions withSuspendTimeout(Duration d) {
        return new MigrationOptions(maxIterations, dirtyThreshold, batchPages, bandwidth, d, live, soft, retainHot,
                handshakeTimeout, stopWhenNotShrinking, verifyHints);
    }

    public MigrationOptions withLive(boolean l) {
        return new MigrationOptions(maxIterations, dirtyThreshold, batchPages, bandwidth, suspendTimeout, l, soft,
                retainHot, handshakeTimeout, stopWhenNotShrinking, verifyHints);
    }

    public MigrationOptions withSoft(SoftPolicy p) {
        return new MigrationOptions(maxIterations, dirtyThreshold, batchPages, bandwidth, suspendTimeout, live, p,
                retainHot, handshakeTimeout, stopWhenNotShrinking, verifyHints);
    }

    public MigrationOptions withRetainHot(boolean r) {
        return new MigrationOptions(maxIterations, dirtyThreshold, batchPages, bandwidth, suspendTimeout, live, soft, r,
                handshakeTimeout, stopWhenNotShrinking, verifyHints);
    }

    public MigrationOptions withHandshakeTimeout(Duration d) {
        return new MigrationOptions(maxIterations, dirtyThreshold, batchPages, bandwidth, suspendTimeout, live, soft,
                retainHot, d, stopWhenNotShrinking, verifyHints);
    }

    public MigrationOptions withStopWhenNotShrinking(boolean s) {
        return new MigrationOptions(maxIterations, dirtyThreshold, batchPages, bandwidth, suspendTimeout, live, soft,
                retainHot, handshakeTimeout, s, verifyHints);
    }

    public MigrationOptions withVerifyHints(boolean v) {
        return new MigrationOptions(maxIterations, dirtyThreshold, batchPages, bandwidth, suspendTimeout, live, soft,
                retainHot, handshakeTimeout, stopWhenNotShrinking, v);
    }
}
