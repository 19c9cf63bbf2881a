package org.sonicmigration.sim;

import org.sonicmigration.testsupport.ProfileData;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sonicmigration.guest.profile.MemoryProfile;
import org.sonicmigration.guest.profile.PageClass;
import org.sonicmigration.sim.guest.ClockMode;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.sim.guest.WorkloadHandle;
import org.sonicmigration.sim.kernel.FilePage;
import org.sonicmigration.sim.kernel.PageState;
import org.sonicmigration.sim.kernel.WritebackPolicy;
import org.sonicmigration.sim.module.HintModuleSpec;
import org.sonicmigration.sim.workload.WorkloadSpec;
import org.sonicmigration.spi.DirtyLog;
import org.sonicmigration.spi.DomainRef;
import org.sonicmigration.spi.PageBitmap;
import org.sonicmigration.spi.SourceDomain;

/** Page cache against the disk model: device reads are logged, clean pages equal the disk, writeback cleans. */
class PageCacheTest {
    static final long MIB = 1 << 20;

    static GuestConfig guest(WorkloadSpec... w) {
        return GuestConfig.linux61("g", 256 * MIB).withClock(ClockMode.VIRTUAL).withWorkloads(w)
                .withWriteback(new WritebackPolicy(Duration.ofMillis(300), Duration.ofMillis(100), Duration.ofMillis(20)));
    }

    @Test
    void deviceReadsAreDirtyLoggedAndCleanCacheEqualsTheDisk() {
        try (SimHypervisor h = new SimHypervisor()) {
            SimGuest g = h.createGuest(guest());
            try (SourceDomain src = h.openSource(new DomainRef.ByName("g")); DirtyLog log = src.enableDirtyLog()) {
                g.start(new WorkloadSpec.FillCache(64 * MIB, 16 * MIB, 512 * MIB));
                g.advanceUntilReady(Duration.ofMillis(10), Duration.ofSeconds(5));
                g.advance(Duration.ofMillis(5));
                PageBitmap dirty = new PageBitmap(g.pfnLimit());
                log.fetchAndClean(dirty);
                long clean = 0;
                for (long pfn = 0; pfn < g.pfnLimit(); pfn++) {
                    if (g.pageState(pfn) == PageState.CACHE_CLEAN) {
                        clean++;
                        assertThat(dirty.get(pfn)).as("DMA into pfn %d is logged", pfn).isTrue();
                        FilePage fp = g.filePage(pfn).orElseThrow();
                        assertThat(g.diskFingerprint(fp.fileId(), fp.offset())).contains(g.fingerprint(pfn));
                    }
                }
                assertThat(clean).isEqualTo(64 * MIB / 4096);
            }
        }
    }

    @Test
    void churnDirtiesCacheAndWritebackMakesItCleanAndDurable() {
        try (SimHypervisor h = new SimHypervisor()) {
            SimGuest g = h.createGuest(guest(new WorkloadSpec.FileChurn(200, 4096, 32768, 2000)));
            g.advance(Duration.ofMillis(150));
            Map<PageState, Long> early = g.stateCounts();
            assertThat(early.get(PageState.CACHE_DIRTY)).isGreaterThan(0);
            g.advance(Duration.ofMillis(2000));
            WorkloadHandle churn = g.workloads().getFirst();
            churn.stop();
            g.advance(Duration.ofMillis(1000));
            Map<PageState, Long> late = g.stateCounts();
            assertThat(late.get(PageState.CACHE_DIRTY)).isZero();
            assertThat(late.get(PageState.CACHE_WRITEBACK)).isZero();
            assertThat(late.get(PageState.CACHE_CLEAN)).isGreaterThan(0);
            for (long pfn = 0; pfn < g.ramEnd(); pfn++) {
                if (g.pageState(pfn) == PageState.CACHE_CLEAN) {
                    FilePage fp = g.filePage(pfn).orElseThrow();
                    assertThat(g.diskFingerprint(fp.fileId(), fp.offset())).as("pfn %d", pfn).contains(g.fingerprint(pfn));
                }
            }
        }
    }

    @Test
    void dirtyPagesSeenMidWritebackHaveTheStatesOfTheDirtyClass() {
        try (SimHypervisor h = new SimHypervisor()) {
            SimGuest g = h.createGuest(guest(new WorkloadSpec.FileChurn(100, 4096, 8192, 200)));
            boolean sawWriteback = false;
            for (int i = 0; i < 100 && !sawWriteback; i++) {
                g.advance(Duration.ofMillis(7));
                sawWriteback = g.stateCounts().get(PageState.CACHE_WRITEBACK) > 0;
            }
            assertThat(sawWriteback).isTrue();
            assertThat(PageState.CACHE_WRITEBACK.pageClass()).isEqualTo(PageClass.FILE_DIRTY);
            assertThat(g.profile().pages(PageClass.FILE_DIRTY)).isGreaterThan(0);
        }
    }

    @Test
    void replayedProfileHasExactlyTheProfilesClasses() {
        MemoryProfile cache = MemoryProfile.load(ProfileData.linux61(), "cache");
        try (SimHypervisor h = new SimHypervisor()) {
            // no hint module: its area would take 33 of the profile's free pages
            SimGuest g = h.createGuest(GuestConfig.fromProfile("replay", cache).withClock(ClockMode.VIRTUAL)
                    .withHintModule(HintModuleSpec.none()));
            assertThat(g.profile().totals()).isEqualTo(cache.totals());
            for (long pfn = 0; pfn < cache.pfnCount(); pfn += 101) {
                assertThat(g.pageClass(pfn)).isEqualTo(cache.classOf(pfn));
            }
            // replayed cache is reclaimable: 512 MiB of user memory shrinks it by about as much
            g.start(WorkloadSpec.allocateAnon(512 * MIB));
            g.advanceUntilReady(Duration.ofMillis(50), Duration.ofSeconds(10));
            g.advance(Duration.ofMillis(500));
            double shrink = cache.mib(PageClass.CLEAN_CACHE) - g.profile().mib(PageClass.CLEAN_CACHE);
            assertThat(shrink).isBetween(500.0, 530.0);
        }
    }

    @Test
    void allocationBeyondReclaimableMemoryStallsInsteadOfFailing() {
        try (SimHypervisor h = new SimHypervisor()) {
            SimGuest g = h.createGuest(GuestConfig.linux61("g", 256 * MIB).withClock(ClockMode.VIRTUAL)
                    .withWorkloads(WorkloadSpec.allocateAnon(512 * MIB)));
            assertThat(g.advanceUntilReady(Duration.ofMillis(50), Duration.ofSeconds(2))).isFalse();
            WorkloadHandle w = g.workloads().getFirst();
            assertThat(w.stalls()).isGreaterThan(0);
            assertThat(g.stateCounts().get(PageState.FREE)).isLessThan(256);
            w.stop();
            assertThat(g.stateCounts().get(PageState.FREE)).isGreaterThan(40_000);
        }
    }
}
