package org.sonicmigration.guest;

import java.time.Duration;

/**
 * The suspend handshake's timing rules and dom0's reading of its outcomes, shared by the engine, the
 * simulator's guest module and the tests. The steps (SPEC.md §6): dom0 does its last live
 * fetch-and-clean, takes a {@link HandshakeTicket}, notifies the guest, then polls
 * {@link HintAreaReader#readFinal} on every guest event and at least every {@link #DOM0_RECHECK_INTERVAL}
 * until {@link #keepWaiting} is false or its timeout ends. The guest bumps the sequence (REQUESTED),
 * optionally drops clean cache (DROPPING), publishes its final set (FINAL_READY) or gives up (FAILED),
 * and sends an event after each of those changes.
 */
public final class HandshakeProtocol {

    /** How long dom0 waits for FINAL_READY after notifying, unless configured otherwise. */
    public static final Duration DEFAULT_DOM0_TIMEOUT = Duration.ofSeconds(2);
    /** The guest's own budget: it answers (possibly with a partial final set) within this. */
    public static final Duration DEFAULT_GUEST_BUDGET = Duration.ofMillis(1500);
    /** How long a guest keeps a final set held when no suspend follows. */
    public static final Duration DEFAULT_HOLD_TIMEOUT = Duration.ofSeconds(60);
    /** Dom0 re-reads the word at least this often, so a coalesced or lost event costs no more. */
    public static final Duration DOM0_RECHECK_INTERVAL = Duration.ofMillis(50);

    private HandshakeProtocol() {
    }

    /**
     * Whether dom0 should keep waiting after this read: the guest has not answered yet, or the word moved
     * while the set was being copied. Everything else is final: use the set ({@link FinalRead.Ready}) or
     * send every stale page.
     */
    public static boolean keepWaiting(FinalRead read) {
        return read instanceof FinalRead.Pending || read instanceof FinalRead.Torn;
    }
}
