package org.sonicmigration.xen.backend;

import org.sonicmigration.xen.lib.DomainStatus;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

import org.sonicmigration.spi.BackendException;
import org.sonicmigration.spi.Clock;

/**
 * Waits, by polling the domain's status, until a guest asked to suspend has shut down with reason
 * suspend: the condition Xen's saver requires before its final pass. Polls quickly at first, then
 * backs off to {@value #MAX_POLL_MILLIS} ms, until a deadline on the engine's clock (a virtual one in tests, so they need no real waiting).
 */
final class SuspendWait {
    static final long MAX_POLL_MILLIS = 50;

    /** How the wait ended. */
    enum Outcome { SUSPENDED, TIMED_OUT }

    private SuspendWait() {}

    /**
     * @param status the domain's current status, empty once it no longer exists
     * @throws BackendException if the domain vanished or shut down for another reason
     */
    static Outcome await(int domid, Supplier<Optional<DomainStatus>> status, Duration timeout, Clock clock) {
        long deadline = clock.nanoTime() + timeout.toNanos();
        long pause = 1;
        while (true) {
            DomainStatus s = status.get().orElseThrow(
                    () -> new BackendException("domain " + domid + " disappeared while suspending"));
            if (s.suspended()) {
                return Outcome.SUSPENDED;
            }
            if (s.dying() || s.shutdown()) {
                throw new BackendException("domain " + domid + " " + (s.dying() ? "is dying" : "shut down with reason "
                        + s.shutdownReason()) + " instead of suspending");
            }
            if (clock.nanoTime() - deadline >= 0) {
                return Outcome.TIMED_OUT;
            }
            try {
                clock.sleepNanos(pause * 1_000_000L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackendException("interrupted while waiting for domain " + domid + " to suspend", e);
            }
            pause = Math.min(pause * 2, MAX_POLL_MILLIS);
        }
    }
}
