package org.sonicmigration.sim.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.sonicmigration.engine.MigrationListener;
import org.sonicmigration.engine.MigrationOptions;
import org.sonicmigration.engine.SoftPolicy;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.module.HintModuleSpec;
import org.sonicmigration.sim.verify.VerificationMode;
import org.sonicmigration.sim.verify.VerificationResult;
import org.sonicmigration.sim.workload.WorkloadSpec;
import org.sonicmigration.transport.Bandwidth;

/**
 * The correctness invariant of SonicMigration (DESIGN.md), over random guests, workloads, hint
 * periods, iteration budgets and handshake outcomes: every page that is hard in the guest at suspend
 * arrives identical, and every page that is clean page cache at suspend arrives equal to what its
 * file holds on disk. Free pages may differ. Whatever the guest's module does short of lying in its
 * final set, the migration completes and verifies.
 */
class SoftMigrationPropertyTest {
    private static final long MIB = 1L << 20;

    static final Gen<HintModuleSpec> MODULES = arbitrary().pick(List.of(
                HintModuleSpec.cooperative(),
                new HintModuleSpec.Cooperative(Duration.ofMillis(10), Duration.ZERO, true),
                new HintModuleSpec.Cooperative(Duration.ofSeconds(2), Duration.ofMillis(200), false),
                HintModuleSpec.slow(),
                HintModuleSpec.none(),
                HintModuleSpec.hostile(HintModuleSpec.HostileKind.TORN_GENERATION),
                HintModuleSpec.hostile(HintModuleSpec.HostileKind.BAD_MAGIC),
                HintModuleSpec.hostile(HintModuleSpec.HostileKind.BAD_VERSION),
                HintModuleSpec.hostile(HintModuleSpec.HostileKind.BAD_LENGTHS)));

    /** One try: the guest's module, its workloads, the engine's iteration budget and the guest seed. */
    record Case(HintModuleSpec module, int dirtyPagesPerSecond, int hotSetMib, int cacheMib, int userMib, boolean churn,
                boolean retainHot, int maxIterations, long seed) {
    }

    static final Gen<Case> CASES = in -> new Case(MODULES.generate(in), integers().between(0, 30_000).generate(in),
            integers().between(1, 24).generate(in), integers().between(0, 80).generate(in),
            integers().between(0, 40).generate(in), booleans().all().generate(in), booleans().all().generate(in),
            integers().between(1, 6).generate(in), longs().between(1, 1_000_000).generate(in));

    @Test
    void hardPagesAndCleanCacheArriveIntact() {
        qt().withExamples(14).withShrinkCycles(10).forAll(CASES).checkAssert(c -> {
            try {
                hardPagesAndCleanCacheArriveIntact(c.module(), c.dirtyPagesPerSecond(), c.hotSetMib(), c.cacheMib(),
                        c.userMib(), c.churn(), c.retainHot(), c.maxIterations(), c.seed());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    private static void hardPagesAndCleanCacheArriveIntact(HintModuleSpec module, int dirtyPagesPerSecond, int hotSetMib,
                                                           int cacheMib, int userMib, boolean churn, boolean retainHot,
                                                           int maxIterations, long seed) throws Exception {
        List<WorkloadSpec> prepare = new ArrayList<>();
        if (cacheMib > 0) {
            prepare.add(WorkloadSpec.fillCache(cacheMib * MIB));
        }
        if (userMib > 0) {
            prepare.add(WorkloadSpec.allocateAnon(userMib * MIB));
        }
        List<WorkloadSpec> during = new ArrayList<>();
        during.add(WorkloadSpec.randomWriter(hotSetMib * MIB, dirtyPagesPerSecond));
        if (churn) {
            during.add(WorkloadSpec.fileChurn());
        }
        MigrationOptions options = MigrationOptions.defaults().withBandwidth(Optional.of(Bandwidth.parse("1Gbit")))
                .withMaxIterations(maxIterations).withSoft(SoftPolicy.FREE_AND_CACHE).withRetainHot(retainHot);
        GuestConfig guest = GuestConfig.linux61("prop", 128 * MIB).withSeed(seed).withHintModule(module);

        SimulatedMigration.Result r = SimulatedMigration.run(
                new SimulatedMigration.Setup(guest, prepare, during, options, true), MigrationListener.NONE);

        assertThat(r.report().completed()).as(r.report().error()).isTrue();
        VerificationResult v = r.verification().orElseThrow();
        // Without a module nothing may go unsent, so the strict check (every page) applies.
        assertThat(v.mode()).isEqualTo(module instanceof HintModuleSpec.None ? VerificationMode.STRICT : VerificationMode.SOFT);
        assertThat(v.passed()).as(v.toString()).isTrue();
    }
}
