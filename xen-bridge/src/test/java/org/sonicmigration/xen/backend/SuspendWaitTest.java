package org.sonicmigration.xen.backend;

import org.sonicmigration.xen.lib.DomainStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.sonicmigration.spi.BackendException;
import org.sonicmigration.spi.Clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

class SuspendWaitTest {
    private static final DomainStatus RUNNING = new DomainStatus(5, 32, 0, 0, 0, 0, new UUID(0, 0));
    private static final DomainStatus SUSPENDED = new DomainStatus(5, 4 | (2 << 16), 0, 0, 0, 0, new UUID(0, 0));
    private static final DomainStatus CRASHED = new DomainStatus(5, 4 | (3 << 16), 0, 0, 0, 0, new UUID(0, 0));

    /** A clock that only moves when slept on. */
    static final class FakeClock implements Clock {
        long now;
        final List<Long> sleeps = new ArrayList<>();

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void sleepNanos(long nanos) {
            sleeps.add(nanos / 1_000_000);
            now += nanos;
        }

        @Override
        public boolean isVirtual() {
            return true;
        }
    }

    @Test
    void returnsOnceTheGuestHasSuspendedAndPollsWithBoundedBackoff() {
        qt().withExamples(1000).forAll(integers().between(0, 200))
                .checkAssert(SuspendWaitTest::returnsOnceTheGuestHasSuspendedAndPollsWithBoundedBackoff);
    }

    private static void returnsOnceTheGuestHasSuspendedAndPollsWithBoundedBackoff(int pollsBefore) {
        AtomicInteger polls = new AtomicInteger();
        FakeClock clock = new FakeClock();
        SuspendWait.Outcome o = SuspendWait.await(5, () -> Optional.of(polls.getAndIncrement() < pollsBefore ? RUNNING : SUSPENDED),
                Duration.ofHours(1), clock);
        assertThat(o).isEqualTo(SuspendWait.Outcome.SUSPENDED);
        assertThat(polls.get()).isEqualTo(pollsBefore + 1);
        assertThat(clock.sleeps).hasSize(pollsBefore).allMatch(ms -> ms >= 1 && ms <= SuspendWait.MAX_POLL_MILLIS);
    }

    @Test
    void givesUpAtTheDeadline() {
        FakeClock clock = new FakeClock();
        SuspendWait.Outcome o = SuspendWait.await(5, () -> Optional.of(RUNNING), Duration.ofSeconds(2), clock);
        assertThat(o).isEqualTo(SuspendWait.Outcome.TIMED_OUT);
        assertThat(clock.now).isGreaterThanOrEqualTo(Duration.ofSeconds(2).toNanos());
        assertThat(clock.now).isLessThan(Duration.ofSeconds(2).toNanos() + SuspendWait.MAX_POLL_MILLIS * 1_000_000 + 1);
    }

    @Test
    void aGuestThatShutsDownForAnotherReasonIsAnError() {
        assertThatThrownBy(() -> SuspendWait.await(5, () -> Optional.of(CRASHED), Duration.ofSeconds(1), new FakeClock()))
                .isInstanceOf(BackendException.class)
                .hasMessage("domain 5 shut down with reason 3 instead of suspending");
    }

    @Test
    void aVanishedDomainIsAnError() {
        assertThatThrownBy(() -> SuspendWait.await(5, Optional::empty, Duration.ofSeconds(1), new FakeClock()))
                .isInstanceOf(BackendException.class)
                .hasMessage("domain 5 disappeared while suspending");
    }

    @Test
    void anInterruptStopsTheWaitAndIsKept() {
        Clock interrupting = new Clock() {
            @Override
            public long nanoTime() {
                return 0;
            }

            @Override
            public void sleepNanos(long nanos) throws InterruptedException {
                throw new InterruptedException();
            }

            @Override
            public boolean isVirtual() {
                return false;
            }
        };
        try {
            assertThatThrownBy(() -> SuspendWait.await(5, () -> Optional.of(RUNNING), Duration.ofSeconds(1), interrupting))
                    .isInstanceOf(BackendException.class).hasMessageContaining("interrupted");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }
}
