package org.sonicmigration.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.sim.kernel.FrameSpace;
import org.sonicmigration.sim.workload.WorkloadSpec;
import org.sonicmigration.spi.DirtyLog;
import org.sonicmigration.spi.DomainRef;
import org.sonicmigration.spi.PageBitmap;
import org.sonicmigration.spi.RunState;
import org.sonicmigration.spi.SourceDomain;

/** The real-time clock: a driver thread runs the guest; pause and suspend really stop its writes. */
class RealTimeTest {
    static final long MIB = 1 << 20;

    @Test
    void pausedAndSuspendedGuestsWriteNothing() throws InterruptedException {
        try (SimHypervisor h = new SimHypervisor()) {
            SimGuest g = h.createGuest(GuestConfig.linux61("rt", 128 * MIB).withFrameSpace(FrameSpace.FLAT)
                    .withWorkloads(WorkloadSpec.randomWriter(8 * MIB, 200_000)));
            assertThat(g.awaitReady(Duration.ofSeconds(20))).isTrue();
            try (SourceDomain src = h.openSource(new DomainRef.ByName("rt")); DirtyLog log = src.enableDirtyLog()) {
                PageBitmap bm = new PageBitmap(g.pfnLimit());
                waitForDirty(log, bm);
                src.pause();
                log.fetchAndClean(bm); // writes completed before pause returned
                Thread.sleep(60);
                log.fetchAndClean(bm);
                assertThat(bm.cardinality()).as("dirty pages while paused").isZero();
                src.unpause();
                waitForDirty(log, bm);
                src.suspend(Duration.ofSeconds(5));
                assertThat(src.state()).isEqualTo(RunState.SUSPENDED);
                log.fetchAndClean(bm);
                Thread.sleep(60);
                log.fetchAndClean(bm);
                assertThat(bm.cardinality()).as("dirty pages while suspended").isZero();
                src.resumeAfterSuspend();
                waitForDirty(log, bm);
            }
            assertThatThrownBy(() -> g.advance(Duration.ofMillis(1))).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void closingTheLogTurnsLoggingOff() {
        try (SimHypervisor h = new SimHypervisor()) {
            SimGuest g = h.createGuest(GuestConfig.linux61("rt", 128 * MIB).withFrameSpace(FrameSpace.FLAT));
            SourceDomain src = h.openSource(new DomainRef.ByName("rt"));
            DirtyLog log = src.enableDirtyLog();
            assertThatThrownBy(src::enableDirtyLog).hasMessageContaining("already enabled");
            log.close();
            assertThat(g.dirtyTracker().enabled()).isFalse();
            assertThatThrownBy(() -> log.fetchAndClean(new PageBitmap(g.pfnLimit()))).hasMessageContaining("closed");
            DirtyLog again = src.enableDirtyLog();
            src.close();
            assertThat(g.dirtyTracker().enabled()).isFalse();
            assertThatThrownBy(() -> again.peek(new PageBitmap(g.pfnLimit()))).hasMessageContaining("closed");
            assertThat(g.state()).isEqualTo(RunState.RUNNING);
        }
    }

    private static void waitForDirty(DirtyLog log, PageBitmap bm) throws InterruptedException {
        for (int i = 0; i < 2000; i++) {
            log.fetchAndClean(bm);
            if (bm.cardinality() > 0) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("the guest wrote nothing for 10 s");
    }
}
