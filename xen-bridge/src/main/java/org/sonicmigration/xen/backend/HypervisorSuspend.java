package org.sonicmigration.xen.backend;

import org.sonicmigration.xen.lib.DomainStatus;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sonicmigration.spi.BackendException;
import org.sonicmigration.spi.Clock;

/**
 * Suspends an HVM guest that has no PV drivers the way libxl does: Xen shuts the domain down with
 * reason suspend, and the caller waits until Xen reports it so. The guest is not asked and cannot
 * refuse; if Xen does not report the suspend in time (or the shutdown call fails), the suspend is
 * undone with a resume, so the guest runs on and the caller's error says so.
 */
final class HypervisorSuspend {
    private static final Logger LOG = LoggerFactory.getLogger(HypervisorSuspend.class);

    /** The domain operations this needs, apart from its status. */
    interface Hypervisor {
        /** {@code xc_domain_shutdown(domid, SHUTDOWN_suspend)}. */
        void shutdownForSuspend();

        /**
         * Lifts a suspend, or one still under way: {@code xc_domain_resume} without its cooperative mode,
         * which would refuse a domain that Xen has not yet reported suspended.
         */
        void resume();
    }

    private HypervisorSuspend() {}

    /**
     * Returns once Xen reports the domain suspended.
     *
     * @throws BackendException the domain is running again (the message says why it did not suspend),
     *     or it vanished or shut down for another reason
     */
    static void run(int domid, Hypervisor xen, Supplier<Optional<DomainStatus>> status, Duration timeout, Clock clock) {
        LOG.info("domain {} is an HVM guest without PV drivers: Xen suspends it", domid);
        try {
            xen.shutdownForSuspend();
        } catch (RuntimeException e) {
            throw undone(domid, xen, "Xen refused to suspend domain " + domid + ": " + e.getMessage(), e);
        }
        if (SuspendWait.await(domid, status, timeout, clock) == SuspendWait.Outcome.SUSPENDED) {
            return;
        }
        throw undone(domid, xen, "Xen did not report domain " + domid + " suspended within " + timeout.toMillis() + " ms", null);
    }

    /** Lifts a suspend that may have half happened, so the guest runs on, and says what was done. */
    private static BackendException undone(int domid, Hypervisor xen, String why, RuntimeException cause) {
        try {
            xen.resume();
        } catch (RuntimeException e) {
            BackendException failed = new BackendException(why + "; resuming it failed too (" + e.getMessage()
                    + "): check it with `xl list`", cause);
            failed.addSuppressed(e);
            return failed;
        }
        return new BackendException(why + "; it was resumed and is running", cause);
    }
}
