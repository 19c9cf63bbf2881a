package org.sonicmigration.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sonicmigration.guest.FinalRead;
import org.sonicmigration.guest.SoftSet;
import org.sonicmigration.sim.guest.ClockMode;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.sim.kernel.PageState;
import org.sonicmigration.sim.module.HintModuleSpec;
import org.sonicmigration.sim.verify.MigrationVerifier;
import org.sonicmigration.sim.verify.VerificationMode;
import org.sonicmigration.sim.verify.VerificationResult;
import org.sonicmigration.sim.workload.WorkloadSpec;
import org.sonicmigration.spi.DomainRef;
import org.sonicmigration.spi.PageBitmap;
import org.sonicmigration.spi.SourceDomain;
import org.sonicmigration.spi.TargetDomain;

/**
 * {@link VerificationMode#SOFT}: a migration that leaves soft pages behind passes it, a migration that loses a
 * hard page or serves a clean cache page with other content fails it, and a guest that lies in its final set
 * is shown to have lost exactly its own hard pages.
 */
class SoftVerificationTest {
    static final long MIB = 1 << 20;

    static GuestConfig guest(HintModuleSpec module) {
        return GuestConfig.linux61("vm", 256 * MIB).withClock(ClockMode.VIRTUAL).withSeed(11).withHintModule(module);
    }

    /** Cache, user memory that stays untouched, a writer and file churn while migrating. */
    static SimGuest prepare(SimHypervisor h, HintModuleSpec module) {
        SimGuest g = h.createGuest(guest(module).withWorkloads(WorkloadSpec.fillCache(96 * MIB),
                new WorkloadSpec.AllocateAnon(48 * MIB, 512 * MIB)));
        assertThat(g.advanceUntilReady(Duration.ofMillis(10), Duration.ofSeconds(30))).isTrue();
        g.start(WorkloadSpec.randomWriter(4 * MIB, 2000));
        g.start(new WorkloadSpec.FileChurn(50, 4096, 16384, 500));
        g.advance(Duration.ofMillis(200));
        return g;
    }

    @Test
    void aCooperativeGuestMigratedWithoutItsSoftPagesPassesSoftButNotStrict() {
        try (SimHypervisor a = new SimHypervisor("a"); SimHypervisor b = new SimHypervisor("b")) {
            SimGuest g = prepare(a, HintModuleSpec.cooperative());
            try (SourceDomain src = a.openSource(new DomainRef.ByName("vm"));
                 TargetDomain dst = b.createTarget(MiniMigration.specFor(src, "vm"))) {
                SoftMiniMigration.Outcome o = SoftMiniMigration.run(g, src, dst, 3, Duration.ofMillis(30));
                assertThat(o.answer()).isInstanceOf(FinalRead.Ready.class);
                long ram = g.config().ramPages();
                assertThat(o.noData()).as("pages left behind").isGreaterThan(ram / 2);
                assertThat(o.sent()).isLessThan(ram / 2);

                VerificationResult soft = MigrationVerifier.verify(g, b.target("vm").orElseThrow(), VerificationMode.SOFT);
                assertThat(soft.passed()).as(soft.toString()).isTrue();
                assertThat(soft.mode()).isEqualTo(VerificationMode.SOFT);
                assertThat(soft.categories().hard().checked()).isEqualTo(soft.categories().hard().pages()).isPositive();
                // free and held pages are checked for presence: every populated frame is accounted for
                assertThat(soft.categories().free().checked()).isEqualTo(soft.categories().free().pages())
                        .isGreaterThan(ram / 2);
                assertThat(soft.categories().free().mismatches()).isZero();
                assertThat(soft.pagesCompared()).isEqualTo(soft.categories().hard().checked()
                        + soft.categories().cleanCache().checked() + soft.categories().free().checked());
                assertThat(soft.categories().withoutData().checked()).isEqualTo(o.noData());
                assertThat(soft.categories().withoutData().mismatches()).isZero();

                // the pages left behind held old content (dropped cache): a strict check sees them, and only them
                VerificationResult strict = MigrationVerifier.verify(g, b.target("vm").orElseThrow(), VerificationMode.STRICT);
                assertThat(strict.passed()).isFalse();
                assertThat(strict.categories().hard().mismatches()).isZero();
                assertThat(strict.categories().cleanCache().mismatches()).isZero();
                assertThat(strict.categories().free().mismatches()).isPositive();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = HintModuleSpec.HostileKind.class, names = {"LYING_FINAL", "ALL_SOFT"})
    void aGuestThatLiesInItsFinalSetLosesItsOwnHardPagesAndSoftVerificationSaysWhich(HintModuleSpec.HostileKind kind) {
        try (SimHypervisor a = new SimHypervisor("a"); SimHypervisor b = new SimHypervisor("b")) {
            SimGuest g = prepare(a, HintModuleSpec.hostile(kind));
            try (SourceDomain src = a.openSource(new DomainRef.ByName("vm"));
                 TargetDomain dst = b.createTarget(MiniMigration.specFor(src, "vm"))) {
                SoftMiniMigration.Outcome o = SoftMiniMigration.run(g, src, dst, 3, Duration.ofMillis(30));
                SoftSet lie = ((FinalRead.Ready) o.answer()).finalSet();
                PageBitmap hardAtSuspend = g.hardPages();
                long namedHard = 0;
                long namedAnon = 0;
                for (long p = lie.nextSetBit(0); p >= 0; p = lie.nextSetBit(p + 1)) {
                    if (hardAtSuspend.get(p)) {
                        namedHard++;
                        namedAnon += g.pageState(p) == PageState.ANON ? 1 : 0;
                    }
                }
                assertThat(namedAnon).as("untouched user memory named in the final set").isGreaterThan(48 * MIB / 4096 / 2);

                VerificationResult soft = MigrationVerifier.verify(g, b.target("vm").orElseThrow(), VerificationMode.SOFT);
                assertThat(soft.passed()).isFalse();
                // every loss is a hard page the guest itself named; pages it dirtied after the last live
                // fetch-and-clean were still sent, so not every named page is lost
                assertThat(soft.categories().hard().mismatches()).isPositive().isLessThanOrEqualTo(namedHard);
                assertThat(soft.firstMismatches()).allSatisfy(m -> assertThat(m).contains("content differs"));
                if (kind == HintModuleSpec.HostileKind.LYING_FINAL) {
                    assertThat(soft.firstMismatches()).allSatisfy(m -> assertThat(m).contains("(ANON)"));
                    assertThat(soft.categories().hard().mismatches()).isLessThanOrEqualTo(namedAnon);
                }
            }
        }
    }

    @Test
    void softVerificationReportsACorruptedHardPageAndAStaleCachePageButNotAFreePage() {
        try (SimHypervisor a = new SimHypervisor("a"); SimHypervisor b = new SimHypervisor("b")) {
            SimGuest g = a.createGuest(guest(HintModuleSpec.cooperative()).withWorkloads(WorkloadSpec.fillCache(32 * MIB),
                    new WorkloadSpec.AllocateAnon(8 * MIB, 512 * MIB)));
            assertThat(g.advanceUntilReady(Duration.ofMillis(10), Duration.ofSeconds(30))).isTrue();
            try (SourceDomain src = a.openSource(new DomainRef.ByName("vm"));
                 TargetDomain dst = b.createTarget(MiniMigration.specFor(src, "vm"))) {
                MiniMigration.run(src, dst, 2, round -> g.advance(Duration.ofMillis(20)));
                SimTargetDomain target = b.target("vm").orElseThrow();
                assertThat(MigrationVerifier.verify(g, target, VerificationMode.SOFT).passed()).isTrue();

                long anon = first(g, PageState.ANON);
                long cache = first(g, PageState.CACHE_CLEAN);
                long free = first(g, PageState.FREE);
                byte[] junk = new byte[4096 * 3];
                new Random(5).nextBytes(junk);
                dst.writeFrames(new long[] {anon, cache, free}, 3, java.lang.foreign.MemorySegment.ofArray(junk));

                VerificationResult r = MigrationVerifier.verify(g, target, VerificationMode.SOFT);
                assertThat(r.passed()).isFalse();
                assertThat(r.mismatches()).isEqualTo(2);
                assertThat(r.categories().hard().mismatches()).isEqualTo(1);
                assertThat(r.categories().cleanCache().mismatches()).isEqualTo(1);
                assertThat(r.categories().free().mismatches()).isZero();
                assertThat(r.firstMismatches()).anySatisfy(m -> assertThat(m)
                        .startsWith("pfn 0x" + Long.toHexString(anon) + " (ANON)").contains("content differs"));
                assertThat(r.firstMismatches()).anySatisfy(m -> assertThat(m)
                        .startsWith("pfn 0x" + Long.toHexString(cache) + " (CACHE_CLEAN)").contains("on disk"));
                // strict sees all three
                assertThat(MigrationVerifier.verify(g, target, VerificationMode.STRICT).mismatches()).isEqualTo(3);
            }
        }
    }

    private static long first(SimGuest g, PageState s) {
        for (long p = 0; p < g.pfnLimit(); p++) {
            if (g.pageState(p) == s) {
                return p;
            }
        }
        throw new AssertionError("no " + s + " page in the guest");
    }
}
