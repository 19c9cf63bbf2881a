package org.sonicmigration.xen.backend;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sonicmigration.spi.BackendException;
import org.sonicmigration.spi.Clock;
import org.sonicmigration.xen.lib.DomainStatus;

/**
 * Asks a guest to suspend itself through its xenstore {@code control/shutdown} node, in the three
 * stages libxl uses, so that no outcome leaves a guest frozen without anyone knowing: the request is
 * written; the guest acknowledges it by clearing the node; only then does it suspend. A guest that
 * does not acknowledge in time gets its request withdrawn in a transaction that first checks the
 * node still holds the request (a guest that acknowledged meanwhile is waited for instead, never
 * abandoned). A guest that acknowledged but is slow to suspend is waited for a while longer, because
 * it has committed to suspending: giving up at that point is what would leave it suspended with no
 * migration to finish. Only a guest that acknowledged and then stayed running through the grace too
 * (its own suspend path failed) ends in an error, and it is running then.
 */
final class SuspendRequest {
    private static final Logger LOG = LoggerFactory.getLogger(SuspendRequest.class);
    /** What the guest finds in its control node: a request to suspend. */
    static final String SUSPEND = "suspend";
    /** Extra time a guest that acknowledged gets, as a multiple of the timeout. */
    static final int LATE_GRACE_FACTOR = 2;
    /**
     * The least extra time: Linux, after acknowledging, freezes its tasks before it suspends and gives
     * up freezing after 20 s ({@code freeze_timeout_msecs}), then runs on; past this floor a guest that
     * acknowledged has either suspended or gone back to running for good.
     */
    static final Duration MIN_LATE_GRACE = Duration.ofSeconds(30);

    /** The guest's {@code control/shutdown} node. */
    interface ControlNode {
        void write(String value);

        Optional<String> read();

        /**
         * Atomically, with respect to the guest's own transaction: if the node holds {@code expected},
         * writes {@code replacement} and returns true; otherwise changes nothing and returns false.
         */
        boolean replaceIf(String expected, String replacement);
    }

    private SuspendRequest() {}

    /**
     * Returns once the domain has suspended.
     *
     * @param timeout how long the guest may take to acknowledge, and again to suspend after that
     * @throws BackendException the guest is running (the message says why it did not suspend), or it
     *                          shut down for another reason, or it vanished
     */
    static void run(int domid, ControlNode control, Supplier<Optional<DomainStatus>> status, Duration timeout,
                    Clock clock) {
        control.write(SUSPEND);
        Ack ack = awaitAcknowledgement(domid, control, status, timeout, clock);
        if (ack != Ack.ACKNOWLEDGED) {
            if (control.replaceIf(SUSPEND, "")) {
                throw new BackendException(ack == Ack.INTERRUPTED
                        ? "interrupted before domain " + domid + " acknowledged the suspend request; the request was "
                        + "withdrawn and the guest is still running"
                        : "domain " + domid + " did not acknowledge the suspend request within " + timeout.toMillis()
                        + " ms; the request was withdrawn and the guest is still running");
            }
            LOG.info("domain {} acknowledged the suspend request as it was being withdrawn; waiting for it", domid);
        }
        if (ack == Ack.INTERRUPTED) {
            // The guest has committed to suspending: see it through, so that the caller's rollback finds
            // it suspended and resumes it, then let the caller see the interrupt.
            try {
                awaitSuspended(domid, status, timeout, clock);
            } finally {
                Thread.currentThread().interrupt();
            }
            return;
        }
        awaitSuspended(domid, status, timeout, clock);
    }

    private static void awaitSuspended(int domid, Supplier<Optional<DomainStatus>> status, Duration timeout,
                                       Clock clock) {
        if (SuspendWait.await(domid, status, timeout, clock) == SuspendWait.Outcome.SUSPENDED) {
            return;
        }
        Duration grace = lateGrace(timeout);
        LOG.warn("domain {} acknowledged the suspend request but has not suspended after {} ms; waiting up to {} ms more",
                domid, timeout.toMillis(), grace.toMillis());
        if (SuspendWait.await(domid, status, grace, clock) == SuspendWait.Outcome.SUSPENDED) {
            return;
        }
        throw new BackendException("domain " + domid + " acknowledged the suspend request but did not suspend within "
                + timeout.plus(grace).toMillis() + " ms after that; its own suspend path failed and it is still running");
    }

    static Duration lateGrace(Duration timeout) {
        Duration scaled = timeout.multipliedBy(LATE_GRACE_FACTOR);
        return scaled.compareTo(MIN_LATE_GRACE) > 0 ? scaled : MIN_LATE_GRACE;
    }

    /** How the wait for the guest's acknowledgement ended. */
    private enum Ack { ACKNOWLEDGED, TIMED_OUT, INTERRUPTED }

    private static Ack awaitAcknowledgement(int domid, ControlNode control, Supplier<Optional<DomainStatus>> status,
                                                Duration timeout, Clock clock) {
        long deadline = clock.nanoTime() + timeout.toNanos();
        long pause = 1;
        while (true) {
            DomainStatus s = status.get().orElseThrow(
                    () -> new BackendException("domain " + domid + " disappeared while suspending"));
            if (s.suspended() || !control.read().filter(SUSPEND::equals).isPresent()) {
                return Ack.ACKNOWLEDGED;
            }
            if (s.dying() || s.shutdown()) {
                throw new BackendException("domain " + domid + " " + (s.dying() ? "is dying" : "shut down with reason "
                        + s.shutdownReason()) + " instead of suspending");
            }
            if (clock.nanoTime() - deadline >= 0) {
                return Ack.TIMED_OUT;
            }
            try {
                clock.sleepNanos(pause * 1_000_000L);
            } catch (InterruptedException e) {
                return Ack.INTERRUPTED;
            }
            pause = Math.min(pause * 2, SuspendWait.MAX_POLL_MILLIS);
        }
    }
}
