package org.sonicmigration.engine;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sonicmigration.spi.Clock;
import org.sonicmigration.spi.HintChannel;

/**
 * Dom0's lease on a guest's live hint (SPEC §4.4): asked for before the first live pass, renewed while the
 * live passes run — no more often than every third of the lease, so a long pass costs a store write every
 * ten seconds, not one per batch — and ended when the live passes are over or the migration ends in any
 * other way. The guest needs none of this for correctness: a lease that lapses only leaves the live hint
 * stale (more pages sent), and a dom0 that dies leaves a lease that simply expires.
 */
final class LiveHintLease {
    private static final Logger log = LoggerFactory.getLogger(LiveHintLease.class);
    /** Long enough that renewals are rare, short enough that a dead dom0's guest stops scanning soon. */
    static final Duration DEFAULT = Duration.ofSeconds(30);

    private final HintChannel channel;
    private final Clock clock;
    private final Duration lease;
    private boolean live;
    private long grantedAt;
    private int renewals;

    LiveHintLease(HintChannel channel, Clock clock, Duration lease) {
        if (lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("a lease must be positive, got " + lease);
        }
        this.channel = channel;
        this.clock = clock;
        this.lease = lease;
    }

    /** Asks for the lease. @return false if the channel cannot carry the request */
    boolean start() {
        live = channel.requestLiveHints(lease);
        grantedAt = clock.nanoTime();
        return live;
    }

    /** Renews the lease if a third of it has passed since the last grant; cheap to call per batch. */
    void renewIfDue() {
        if (!live) {
            return;
        }
        long now = clock.nanoTime();
        if (now - grantedAt < lease.toNanos() / 3) {
            return;
        }
        grantedAt = now;
        if (channel.requestLiveHints(lease)) {
            renewals++;
        } else {
            log.debug("renewing the live-hint lease failed; it lapses in {} s unless a later renewal works",
                    lease.toSeconds() * 2 / 3);
        }
    }

    /** Ends the lease if it is live; safe on every exit path (a failure to write is logged, never thrown). */
    void end() {
        if (!live) {
            return;
        }
        live = false;
        try {
            channel.requestLiveHints(Duration.ZERO);
        } catch (RuntimeException e) {
            log.debug("could not end the live-hint lease ({}): it expires by itself", e.getMessage());
        }
    }

    Duration lease() {
        return lease;
    }

    int renewals() {
        return renewals;
    }
}
