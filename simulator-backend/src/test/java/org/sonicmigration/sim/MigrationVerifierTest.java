package org.sonicmigration.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sonicmigration.guest.SoftSet;
import org.sonicmigration.sim.guest.ClockMode;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.sim.kernel.PageState;
import org.sonicmigration.sim.verify.MigrationVerifier;
import org.sonicmigration.sim.verify.VerificationMode;
import org.sonicmigration.sim.verify.VerificationResult;
import org.sonicmigration.sim.workload.WorkloadSpec;
import org.sonicmigration.spi.DomainRef;
import org.sonicmigration.spi.PageBitmap;
import org.sonicmigration.spi.SourceDomain;
import org.sonicmigration.spi.TargetDomain;

/**
 * The verifier accounts for every frame: each kind of gap a broken migration could leave is caught on its own
 * — a hard page that differs, a clean-cache page that differs from its file, a frame missing on the
 * destination (a free one included), a frame populated without data that the guest never put in its final soft
 * set (even when its content happens to be zeros), and a hole populated — while an exact copy passes.
 */
class MigrationVerifierTest {
    static final long MIB = 1 << 20;

    /** A paused guest with cache, user memory, free pages and zeroed kernel pages, and a destination to fill. */
    private record Scene(SimHypervisor source, SimHypervisor destination, SimGuest guest, long zeroKernelPage)
            implements AutoCloseable {
        @Override
        public void close() {
            source.close();
            destination.close();
        }
    }

    private static Scene scene() {
        SimHypervisor a = new SimHypervisor("a");
        SimHypervisor b = new SimHypervisor("b");
        SimGuest g = a.createGuest(GuestConfig.linux61("vm", 64 * MIB).withClock(ClockMode.VIRTUAL).withSeed(3)
                .withWorkloads(WorkloadSpec.fillCache(16 * MIB), new WorkloadSpec.AllocateAnon(8 * MIB, 512 * MIB)));
        assertThat(g.advanceUntilReady(Duration.ofMillis(10), Duration.ofSeconds(30))).isTrue();
        long zeroed = g.allocateKernelPages(1)[0];
        g.pause();
        return new Scene(a, b, g, zeroed);
    }

    /** Copies every populated frame of the paused guest except those {@code leaveOut} names, and its state. */
    private static SimTargetDomain copy(Scene s, LongPredicate leaveOut) {
        try (SourceDomain src = s.source().openSource(new DomainRef.ByName("vm"));
             TargetDomain dst = s.destination().createTarget(MiniMigration.specFor(src, "vm"));
             Arena arena = Arena.ofConfined()) {
            PageBitmap which = new PageBitmap(src.info().pfnLimit());
            for (long p = 0; p < s.guest().pfnLimit(); p++) {
                if (s.guest().pageState(p) != PageState.HOLE && !leaveOut.test(p)) {
                    which.set(p);
                }
            }
            MiniMigration.send(src, dst, which, arena.allocate(1024L * 4096, 4096));
            dst.restoreState(src.captureState());
        }
        return s.destination().target("vm").orElseThrow();
    }

    private static long first(SimGuest g, PageState state) {
        for (long p = 0; p < g.pfnLimit(); p++) {
            if (g.pageState(p) == state) {
                return p;
            }
        }
        throw new AssertionError("no " + state + " page");
    }

    @ParameterizedTest
    @EnumSource(VerificationMode.class)
    void anExactCopyPassesAndEveryFrameIsCounted(VerificationMode mode) {
        try (Scene s = scene()) {
            VerificationResult r = MigrationVerifier.verify(s.guest(), copy(s, p -> false), mode);
            assertThat(r.passed()).as(r.toString()).isTrue();
            VerificationResult.Categories c = r.categories();
            assertThat(c.hard().checked()).isPositive();
            assertThat(c.cleanCache().checked()).isPositive();
            assertThat(c.free().checked()).isPositive();
            assertThat(r.pagesCompared()).isEqualTo(c.hard().checked() + c.cleanCache().checked() + c.free().checked())
                    .isEqualTo(s.guest().info().totalPages());
            assertThat(c.withoutData().checked()).isZero();
        }
    }

    @Test
    void aHardPageThatDiffersIsCaught() {
        try (Scene s = scene()) {
            long anon = first(s.guest(), PageState.ANON);
            SimTargetDomain t = copy(s, p -> false);
            t.writeFrames(new long[] {anon}, 1, MemorySegment.ofArray(new byte[4096]));
            VerificationResult r = MigrationVerifier.verify(s.guest(), t, VerificationMode.SOFT);
            assertThat(r.passed()).isFalse();
            assertThat(r.mismatches()).isEqualTo(1);
            assertThat(r.categories().hard().mismatches()).isEqualTo(1);
            assertThat(r.firstMismatches()).singleElement().asString().contains("(ANON)").contains("content differs");
        }
    }

    @Test
    void aCleanCachePageThatDiffersFromItsFileIsCaught() {
        try (Scene s = scene()) {
            long cache = first(s.guest(), PageState.CACHE_CLEAN);
            SimTargetDomain t = copy(s, p -> false);
            byte[] other = s.guest().readPage(first(s.guest(), PageState.ANON));
            t.writeFrames(new long[] {cache}, 1, MemorySegment.ofArray(other));
            VerificationResult r = MigrationVerifier.verify(s.guest(), t, VerificationMode.SOFT);
            assertThat(r.passed()).isFalse();
            assertThat(r.categories().cleanCache().mismatches()).isEqualTo(1);
            assertThat(r.firstMismatches()).singleElement().asString().contains("(CACHE_CLEAN)").contains("on disk");
        }
    }

    @ParameterizedTest
    @EnumSource(value = PageState.class, names = {"FREE", "ANON", "CACHE_CLEAN", "KERNEL"})
    void aFrameMissingOnTheDestinationIsCaughtWhateverItHeld(PageState state) {
        try (Scene s = scene()) {
            long missing = first(s.guest(), state);
            SimTargetDomain t = copy(s, p -> p == missing);
            VerificationResult r = MigrationVerifier.verify(s.guest(), t, VerificationMode.SOFT);
            assertThat(r.passed()).as(r.toString()).isFalse();
            assertThat(r.mismatches()).isEqualTo(1);
            assertThat(r.firstMismatches()).singleElement().asString()
                    .startsWith("pfn 0x" + Long.toHexString(missing) + " (" + state + ")")
                    .contains("not populated on the destination");
        }
    }

    @Test
    void aFramePopulatedWithoutDataOutsideTheFinalSoftSetIsCaughtEvenIfItsContentIsZeros() {
        try (Scene s = scene()) {
            long free = first(s.guest(), PageState.FREE);
            long zeroKernel = s.zeroKernelPage();
            assertThat(s.guest().pageState(zeroKernel)).isEqualTo(PageState.KERNEL);
            SimTargetDomain t = copy(s, p -> p == free || p == zeroKernel);
            t.populate(new long[] {free, zeroKernel}, 2);
            long ram = s.guest().ramEnd();

            VerificationResult noSet = MigrationVerifier.verify(s.guest(), t, VerificationMode.SOFT, Optional.empty());
            assertThat(noSet.passed()).isFalse();
            assertThat(noSet.mismatches()).isEqualTo(2);
            assertThat(noSet.categories().withoutData()).isEqualTo(new VerificationResult.Tally(2, 2, 2));
            // the zeroed kernel page has the right content: only the no-data rule catches it
            assertThat(noSet.categories().hard().mismatches()).isZero();
            assertThat(noSet.firstMismatches()).allSatisfy(m -> assertThat(m).contains("not in the guest's final soft set"));

            VerificationResult named = MigrationVerifier.verify(s.guest(), t, VerificationMode.SOFT,
                    Optional.of(SoftSet.of(ram, free, zeroKernel)));
            assertThat(named.passed()).as(named.toString()).isTrue();
            assertThat(named.categories().withoutData()).isEqualTo(new VerificationResult.Tally(2, 2, 0));

            VerificationResult onlyFree = MigrationVerifier.verify(s.guest(), t, VerificationMode.SOFT,
                    Optional.of(SoftSet.of(ram, free)));
            assertThat(onlyFree.mismatches()).isEqualTo(1);
            assertThat(onlyFree.firstMismatches()).singleElement().asString()
                    .startsWith("pfn 0x" + Long.toHexString(zeroKernel) + " (KERNEL)");
        }
    }

    @Test
    void aHolePopulatedOnTheDestinationIsCaught() {
        try (Scene s = scene()) {
            long hole = first(s.guest(), PageState.HOLE);
            SimTargetDomain t = copy(s, p -> false);
            t.populate(new long[] {hole}, 1);
            VerificationResult r = MigrationVerifier.verify(s.guest(), t, VerificationMode.SOFT,
                    Optional.of(SoftSet.of(s.guest().pfnLimit(), hole)));
            assertThat(r.passed()).isFalse();
            assertThat(r.categories().holes().mismatches()).isEqualTo(1);
            assertThat(r.firstMismatches()).singleElement().asString().contains("a hole on the source");
        }
    }
}
