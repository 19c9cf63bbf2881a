package org.sonicmigration.xen.backend;

import org.sonicmigration.xen.lib.DomainStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.sonicmigration.spi.BackendException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HypervisorSuspendTest {
    private static final DomainStatus RUNNING = new DomainStatus(7, 32, 0, 0, 0, 0, new UUID(0, 0));
    private static final DomainStatus SUSPENDED = new DomainStatus(7, 4 | (2 << 16), 0, 0, 0, 0, new UUID(0, 0));

    /** A Xen that records the calls and suspends the domain when told, unless told not to. */
    private static final class FakeXen implements HypervisorSuspend.Hypervisor {
        final List<String> calls = new ArrayList<>();
        boolean suspendTakesEffect = true;
        RuntimeException shutdownFailure;
        RuntimeException resumeFailure;
        DomainStatus status = RUNNING;

        @Override
        public void shutdownForSuspend() {
            calls.add("shutdown");
            if (shutdownFailure != null) {
                throw shutdownFailure;
            }
            if (suspendTakesEffect) {
                status = SUSPENDED;
            }
        }

        @Override
        public void resume() {
            calls.add("resume");
            if (resumeFailure != null) {
                throw resumeFailure;
            }
            status = RUNNING;
        }
    }

    @Test
    void xenSuspendsTheGuestWithoutAskingIt() {
        FakeXen xen = new FakeXen();
        HypervisorSuspend.run(7, xen, () -> Optional.of(xen.status), Duration.ofSeconds(5), new SuspendWaitTest.FakeClock());
        assertThat(xen.calls).containsExactly("shutdown");
        assertThat(xen.status.suspended()).isTrue();
    }

    @Test
    void aSuspendXenDoesNotReportInTimeIsUndoneSoTheGuestRunsOn() {
        FakeXen xen = new FakeXen();
        xen.suspendTakesEffect = false;
        assertThatThrownBy(() -> HypervisorSuspend.run(7, xen, () -> Optional.of(xen.status), Duration.ofSeconds(2),
                new SuspendWaitTest.FakeClock()))
                .isInstanceOf(BackendException.class)
                .hasMessage("Xen did not report domain 7 suspended within 2000 ms; it was resumed and is running");
        assertThat(xen.calls).containsExactly("shutdown", "resume");
    }

    @Test
    void aRefusedShutdownIsUndoneToo() {
        FakeXen xen = new FakeXen();
        xen.shutdownFailure = new BackendException("xc_domain_shutdown: Operation not permitted");
        assertThatThrownBy(() -> HypervisorSuspend.run(7, xen, () -> Optional.of(xen.status), Duration.ofSeconds(2),
                new SuspendWaitTest.FakeClock()))
                .isInstanceOf(BackendException.class)
                .hasMessage("Xen refused to suspend domain 7: xc_domain_shutdown: Operation not permitted; it was resumed and is running");
        assertThat(xen.calls).containsExactly("shutdown", "resume");
    }

    @Test
    void aResumeThatFailsTooIsSaid() {
        FakeXen xen = new FakeXen();
        xen.suspendTakesEffect = false;
        xen.resumeFailure = new BackendException("xc_domain_resume: Invalid argument");
        assertThatThrownBy(() -> HypervisorSuspend.run(7, xen, () -> Optional.of(xen.status), Duration.ofSeconds(2),
                new SuspendWaitTest.FakeClock()))
                .isInstanceOf(BackendException.class)
                .hasMessageContaining("resuming it failed too (xc_domain_resume: Invalid argument): check it with `xl list`");
    }
}
