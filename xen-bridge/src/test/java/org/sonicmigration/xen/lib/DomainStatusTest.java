package org.sonicmigration.xen.lib;

import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.sonicmigration.spi.RunState;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

class DomainStatusTest {
    private static final int DYING = 1, SHUTDOWN = 4, PAUSED = 8, RUNNING = 32;

    private static DomainStatus withFlags(int flags) {
        return new DomainStatus(7, flags, 0, 0, 0, 0, new UUID(0, 0));
    }

    @Test
    void aGuestThatShutDownWithReasonSuspendIsSuspended() {
        DomainStatus s = withFlags(SHUTDOWN | (2 << 16));
        assertThat(s.suspended()).isTrue();
        assertThat(s.runState()).isEqualTo(RunState.SUSPENDED);
    }

    @Test
    void aCrashIsAShutdownButNotASuspend() {
        DomainStatus s = withFlags(SHUTDOWN | (3 << 16));
        assertThat(s.suspended()).isFalse();
        assertThat(s.shutdownReason()).isEqualTo(3);
        assertThat(s.runState()).isEqualTo(RunState.SHUTDOWN);
    }

    @Test
    void pausedAndRunning() {
        assertThat(withFlags(PAUSED | RUNNING).runState()).isEqualTo(RunState.PAUSED);
        assertThat(withFlags(RUNNING).runState()).isEqualTo(RunState.RUNNING);
        assertThat(withFlags(0).runState()).isEqualTo(RunState.RUNNING);
    }

    @Test
    void runStateFollowsTheFlagsPrecedence() {
        qt().withExamples(1000).forAll(integers().between(0, 511), integers().between(0, 255))
                .checkAssert(DomainStatusTest::runStateFollowsTheFlagsPrecedence);
    }

    private static void runStateFollowsTheFlagsPrecedence(int lowFlags, int reason) {
        DomainStatus s = withFlags(lowFlags | (reason << 16));
        assertThat(s.shutdownReason()).isEqualTo(reason);
        RunState expected = (lowFlags & DYING) != 0 ? RunState.DYING
                : (lowFlags & SHUTDOWN) != 0 ? (reason == 2 ? RunState.SUSPENDED : RunState.SHUTDOWN)
                : (lowFlags & PAUSED) != 0 ? RunState.PAUSED : RunState.RUNNING;
        assertThat(s.runState()).isEqualTo(expected);
        assertThat(s.hvm()).isEqualTo((lowFlags & 2) != 0);
    }
}
