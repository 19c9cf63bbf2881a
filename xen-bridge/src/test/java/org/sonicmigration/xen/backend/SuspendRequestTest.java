package org.sonicmigration.xen.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.sonicmigration.spi.BackendException;
import org.sonicmigration.spi.VirtualClock;
import org.sonicmigration.xen.lib.DomainStatus;

/**
 * The suspend request against scripted guests on a virtual clock: a guest is never left to suspend
 * after the request failed, and a guest that acknowledged is never given up while it may still suspend.
 */
class SuspendRequestTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final long NEVER = -1;

    /**
     * A guest as the protocol sees it: it acknowledges {@code ackAfterMs} after the request if the node
     * still holds the request then, and suspends {@code suspendAfterAckMs} after acknowledging.
     */
    static final class ScriptedGuest implements SuspendRequest.ControlNode {
        final VirtualClock clock = new VirtualClock();
        final long ackAfterMs;
        final long suspendAfterAckMs;
        final boolean ackInsideWithdrawal;
        String node = "";
        long requestedAt = -1;
        long ackedAt = -1;
        boolean suspended;
        int withdrawals;
        int crashReason;

        ScriptedGuest(long ackAfterMs, long suspendAfterAckMs, boolean ackInsideWithdrawal) {
            this.ackAfterMs = ackAfterMs;
            this.suspendAfterAckMs = suspendAfterAckMs;
            this.ackInsideWithdrawal = ackInsideWithdrawal;
        }

        ScriptedGuest(long ackAfterMs, long suspendAfterAckMs) {
            this(ackAfterMs, suspendAfterAckMs, false);
        }

        long nowMs() {
            return clock.nanoTime() / 1_000_000;
        }

        /** Lets the guest act on everything that should have happened by now. */
        void act() {
            long now = nowMs();
            if (ackedAt < 0 && requestedAt >= 0 && "suspend".equals(node) && ackAfterMs != NEVER
                    && now >= requestedAt + ackAfterMs) {
                acknowledge(requestedAt + ackAfterMs);
            }
            if (ackedAt >= 0 && !suspended && suspendAfterAckMs != NEVER && now >= ackedAt + suspendAfterAckMs) {
                suspended = true;
            }
        }

        private void acknowledge(long at) {
            node = "";
            ackedAt = at;
        }

        @Override
        public void write(String value) {
            act();
            node = value;
            if ("suspend".equals(value)) {
                requestedAt = nowMs();
            }
        }

        @Override
        public Optional<String> read() {
            act();
            return Optional.of(node);
        }

        @Override
        public boolean replaceIf(String expected, String replacement) {
            act();
            if (ackInsideWithdrawal && ackedAt < 0 && "suspend".equals(node)) {
                // the guest's own transaction commits first: dom0's sees the node cleared
                acknowledge(nowMs());
            }
            if (!expected.equals(node)) {
                return false;
            }
            node = replacement;
            withdrawals++;
            return true;
        }

        Optional<DomainStatus> status() {
            act();
            if (crashReason != 0) {
                return Optional.of(new DomainStatus(5, 4 | (crashReason << 16), 0, 0, 0, 0, new UUID(0, 0)));
            }
            return Optional.of(suspended
                    ? new DomainStatus(5, 4 | (2 << 16), 0, 0, 0, 0, new UUID(0, 0))
                    : new DomainStatus(5, 32, 0, 0, 0, 0, new UUID(0, 0)));
        }

        /** Whether the guest ends up suspended if nobody touches it again. */
        boolean suspendsEventually() {
            clock.advance(Duration.ofDays(1).toNanos());
            act();
            return suspended;
        }

        void run(Duration timeout) {
            SuspendRequest.run(5, this, this::status, timeout, clock);
        }
    }

    @Test
    void aPromptGuestSuspends() {
        ScriptedGuest g = new ScriptedGuest(10, 40);
        g.run(TIMEOUT);
        assertThat(g.suspended).isTrue();
        assertThat(g.withdrawals).isZero();
        assertThat(g.nowMs()).isLessThan(100);
    }

    @Test
    void aGuestThatNeverAcknowledgesHasItsRequestWithdrawnAndKeepsRunning() {
        ScriptedGuest g = new ScriptedGuest(NEVER, 0);
        assertThatThrownBy(() -> g.run(TIMEOUT)).isInstanceOf(BackendException.class)
                .hasMessage("domain 5 did not acknowledge the suspend request within 2000 ms; the request was withdrawn "
                        + "and the guest is still running");
        assertThat(g.node).isEmpty();
        assertThat(g.suspendsEventually()).isFalse();
    }

    @Test
    void aGuestThatAcknowledgesAsTheRequestIsWithdrawnIsWaitedFor() {
        ScriptedGuest g = new ScriptedGuest(NEVER, 300, true);
        g.run(TIMEOUT);
        assertThat(g.suspended).isTrue();
        assertThat(g.withdrawals).isZero();
    }

    @Test
    void aGuestThatAcknowledgedButSuspendsLateIsNotAbandoned() {
        // acknowledged at 1.5 s, suspends 21 s later (Linux's task freezer may take 20 s): past the timeout
        ScriptedGuest g = new ScriptedGuest(1500, 21_000);
        g.run(TIMEOUT);
        assertThat(g.suspended).isTrue();
    }

    @Test
    void aGuestWhoseOwnSuspendFailsIsReportedRunning() {
        ScriptedGuest g = new ScriptedGuest(20, NEVER);
        assertThatThrownBy(() -> g.run(TIMEOUT)).isInstanceOf(BackendException.class)
                .hasMessage("domain 5 acknowledged the suspend request but did not suspend within 32000 ms after that; "
                        + "its own suspend path failed and it is still running");
        assertThat(g.suspendsEventually()).isFalse();
    }

    @Test
    void aGuestThatCrashesInsteadIsAnError() {
        ScriptedGuest g = new ScriptedGuest(NEVER, 0);
        g.crashReason = 3;
        assertThatThrownBy(() -> g.run(TIMEOUT)).isInstanceOf(BackendException.class)
                .hasMessage("domain 5 shut down with reason 3 instead of suspending");
    }

    /**
     * Whatever the guest's timing (a suspend path that, as Linux's, ends within its task freezer's 20 s
     * or never suspends): either the request succeeds with the guest suspended, or it fails and the
     * guest never suspends afterwards (nobody is left frozen with no migration to finish).
     */
    @Test
    void noTimingLeavesAGuestToSuspendAfterAFailure() {
        qt().withExamples(1000).forAll(
                integers().between(-1, 9000), integers().between(-1, 25_000), integers().between(0, 1),
                integers().between(100, 3000)
        ).checkAssert((ack, suspend, race, timeoutMs) -> {
            ScriptedGuest g = new ScriptedGuest(ack, suspend, race == 1);
            boolean failed = false;
            try {
                g.run(Duration.ofMillis(timeoutMs));
            } catch (BackendException e) {
                failed = true;
            }
            if (failed) {
                assertThat(g.suspendsEventually()).as("suspends after the request failed").isFalse();
            } else {
                assertThat(g.suspended).as("returned with the guest suspended").isTrue();
            }
        });
    }
}
