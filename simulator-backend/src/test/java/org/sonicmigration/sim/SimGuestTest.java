package org.sonicmigration.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.sonicmigration.sim.guest.ClockMode;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.sim.guest.SuspendPolicy;
import org.sonicmigration.sim.kernel.FrameSpace;
import org.sonicmigration.sim.kernel.PageContent;
import org.sonicmigration.sim.kernel.PageState;
import org.sonicmigration.sim.kernel.SimulatorException;
import org.sonicmigration.sim.verify.MigrationVerifier;
import org.sonicmigration.sim.verify.VerificationResult;
import org.sonicmigration.sim.workload.WorkloadSpec;
import org.sonicmigration.spi.Backends;
import org.sonicmigration.spi.DomainRef;
import org.sonicmigration.spi.PageBitmap;
import org.sonicmigration.spi.RunState;
import org.sonicmigration.spi.SourceDomain;
import org.sonicmigration.spi.TargetDomain;

/** The simulator's basic contract: a guest that writes, a dirty log, pause, frame reads, a target, verification. */
class SimGuestTest {
    static final long MIB = 1 << 20;

    static GuestConfig small(String name) {
        return GuestConfig.linux61(name, 256 * MIB).withClock(ClockMode.VIRTUAL).withSeed(42);
    }

    @Test
    void backendIsDiscoveredAndRanksBelowXen() {
        Backends b = Backends.discover();
        assertThat(b.byName("sim")).isPresent();
        assertThat(b.byName("sim").get().probe().available()).isTrue();
        assertThat(b.byName("sim").get().priority()).isLessThan(100);
    }

    @Test
    void liveMigrationWithAWriterVerifiesOnTheDestination() {
        try (SimHypervisor a = new SimHypervisor("a"); SimHypervisor b = new SimHypervisor("b")) {
            SimGuest g = a.createGuest(small("vm1").withWorkloads(WorkloadSpec.randomWriter(32 * MIB, 20000)));
            g.advanceUntilReady(Duration.ofMillis(10), Duration.ofSeconds(10));
            try (SourceDomain src = a.openSource(new DomainRef.ByName("vm1"));
                 TargetDomain dst = b.createTarget(MiniMigration.specFor(src, "vm1"))) {
                MiniMigration.run(src, dst, 4, round -> g.advance(Duration.ofMillis(50)));
                assertThat(src.state()).isEqualTo(RunState.SUSPENDED);
                VerificationResult r = MigrationVerifier.verify(g, b.target("vm1").orElseThrow());
                assertThat(r.passed()).as(r.toString()).isTrue();
                assertThat(r.pagesCompared()).isEqualTo(256 * MIB / 4096 + 16);
                dst.unpause();
            }
        }
    }

    @Test
    void skippingTheFinalDirtyRoundIsCaught() {
        try (SimHypervisor a = new SimHypervisor("a"); SimHypervisor b = new SimHypervisor("b")) {
            SimGuest g = a.createGuest(small("vm1").withWorkloads(WorkloadSpec.randomWriter(8 * MIB, 20000)));
            g.advanceUntilReady(Duration.ofMillis(10), Duration.ofSeconds(10));
            try (SourceDomain src = a.openSource(new DomainRef.ById(g.domid()));
                 TargetDomain dst = b.createTarget(MiniMigration.specFor(src, "vm1"))) {
                PageBitmap all = new PageBitmap(src.info().pfnLimit());
                all.setAll();
                var log = src.enableDirtyLog();
                try (var arena = java.lang.foreign.Arena.ofConfined()) {
                    MiniMigration.send(src, dst, all, arena.allocate(1024 * 4096L));
                    g.advance(Duration.ofMillis(20));
                    src.suspend(Duration.ofSeconds(1));
                } finally {
                    log.close(); // the pages dirtied after the first pass are never fetched: a broken migration
                }
                dst.restoreState(src.captureState());
                VerificationResult r = MigrationVerifier.verify(g, b.target("vm1").orElseThrow());
                assertThat(r.passed()).isFalse();
                assertThat(r.mismatches()).isGreaterThan(0);
                assertThat(r.stateEqual()).isTrue();
                assertThat(r.firstMismatches().getFirst()).contains("ANON").contains("content differs");
            }
        }
    }

    @Test
    void pauseStopsWritesAndUnpauseResumesThem() {
        try (SimHypervisor h = new SimHypervisor()) {
            SimGuest g = h.createGuest(small("vm1").withWorkloads(WorkloadSpec.randomWriter(4 * MIB, 50000)));
            g.advanceUntilReady(Duration.ofMillis(10), Duration.ofSeconds(10));
            try (SourceDomain src = h.openSource(new DomainRef.ByName("vm1")); var log = src.enableDirtyLog()) {
                PageBitmap bm = new PageBitmap(g.pfnLimit());
                g.advance(Duration.ofMillis(10));
                log.fetchAndClean(bm);
                assertThat(bm.cardinality()).isGreaterThan(0);
                src.pause();
                assertThat(src.state()).isEqualTo(RunState.PAUSED);
                g.advance(Duration.ofMillis(100));
                log.fetchAndClean(bm);
                assertThat(bm.cardinality()).isZero();
                src.unpause();
                g.advance(Duration.ofMillis(10));
                log.fetchAndClean(bm);
                assertThat(bm.cardinality()).isGreaterThan(0);
            }
        }
    }

    @Test
    void readFramesReportsHolesAndOutOfRangePfns() {
        try (SimHypervisor h = new SimHypervisor()) {
            SimGuest g = h.createGuest(small("vm1"));
            long[] pfns = {0, 0x10000, FrameSpace.SPECIAL_PFN, g.pfnLimit(), -1};
            int[] err = new int[5];
            try (var arena = java.lang.foreign.Arena.ofConfined()) {
                g.readFrames(pfns, 5, arena.allocate(5 * 4096L), err);
            }
            assertThat(err).containsExactly(0, SimGuest.ERR_NO_FRAME, 0, SimGuest.ERR_NO_FRAME, SimGuest.ERR_NO_FRAME);
        }
    }

    @Test
    void captureStateNeedsAStoppedGuestAndFollowsRunTime() {
        try (SimHypervisor h = new SimHypervisor()) {
            SimGuest g = h.createGuest(small("vm1").withWorkloads(WorkloadSpec.randomWriter(MIB, 1000)));
            assertThatThrownBy(g::captureState).isInstanceOf(SimulatorException.class).hasMessageContaining("running");
            g.advance(Duration.ofMillis(5));
            g.pause();
            var s1 = g.captureState();
            g.advance(Duration.ofMillis(50));
            assertThat(MigrationVerifier.same(s1, g.captureState())).as("paused: state frozen").isTrue();
            g.unpause();
            g.advance(Duration.ofMillis(5));
            g.pause();
            var s2 = g.captureState();
            assertThat(MigrationVerifier.same(s1, s2)).isFalse();
            assertThat(s2.cpuidPolicy()).hasSize(51 * 24);
            assertThat(s2.msrPolicy()).hasSize(32);
            assertThat(s2.hvmParams()).hasSize(8);
            assertThat(s2.hvmContext()).isNotEmpty();
        }
    }

    @Test
    void refusingGuestTimesOutAndKeepsRunning() {
        try (SimHypervisor h = new SimHypervisor()) {
            SimGuest g = h.createGuest(small("vm1").withSuspendPolicy(new SuspendPolicy.Refuse()));
            try (SourceDomain src = h.openSource(new DomainRef.ByName("vm1"))) {
                assertThatThrownBy(() -> src.suspend(Duration.ofMillis(30)))
                        .isInstanceOf(SimulatorException.class).hasMessageContaining("did not suspend within 30 ms");
                assertThat(src.state()).isEqualTo(RunState.RUNNING);
                assertThat(g.uptime()).isGreaterThanOrEqualTo(Duration.ofMillis(30));
            }
        }
    }

    @Test
    void secondMigrationOfTheSameGuestIsRefused() {
        try (SimHypervisor h = new SimHypervisor()) {
            h.createGuest(small("vm1"));
            try (SourceDomain src = h.openSource(new DomainRef.ByName("vm1"))) {
                assertThat(src.info().name()).isEqualTo("vm1");
                assertThatThrownBy(() -> h.openSource(new DomainRef.ByName("vm1"))).hasMessageContaining("already open");
            }
            h.openSource(new DomainRef.ByName("vm1")).close();
            assertThatThrownBy(() -> h.openSource(new DomainRef.ByName("nope"))).hasMessageContaining("no domain nope");
        }
    }

    @Test
    void guestTasksRunOnlyWhileTheGuestRunsAndCanAllocateSharedPages() {
        try (SimHypervisor h = new SimHypervisor()) {
            SimGuest g = h.createGuest(small("vm1"));
            long[] quanta = new long[1];
            g.addTask((guest, dt) -> quanta[0]++);
            g.advance(Duration.ofMillis(10));
            g.pause();
            g.advance(Duration.ofMillis(10));
            assertThat(quanta[0]).isEqualTo(10);
            g.unpause();
            try (SourceDomain src = h.openSource(new DomainRef.ByName("vm1")); var log = src.enableDirtyLog()) {
                long[] pages = g.allocateKernelPages(16);
                PageBitmap bm = new PageBitmap(g.pfnLimit());
                log.fetchAndClean(bm);
                for (long p : pages) {
                    assertThat(g.pageState(p)).isEqualTo(PageState.KERNEL);
                    assertThat(bm.get(p)).isTrue();
                    assertThat(g.fingerprint(p)).isEqualTo(PageContent.ZERO_FINGERPRINT);
                }
                long free = g.stateCounts().get(PageState.FREE) + g.stateCounts().get(PageState.PCP_FREE);
                g.freeKernelPages(pages);
                assertThat(g.stateCounts().get(PageState.FREE) + g.stateCounts().get(PageState.PCP_FREE)).isEqualTo(free + 16);
                assertThatThrownBy(() -> g.freeKernelPages(new long[] {0})).hasMessageContaining("not a kernel page");
            }
        }
    }
}
