package org.sonicmigration.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.sonicmigration.transport.Bandwidth;
import org.sonicmigration.engine.MigrationListener;
import org.sonicmigration.engine.MigrationOptions;
import org.sonicmigration.engine.SoftPolicy;

/**
 * The correctness invariant of SonicMigration (DESIGN.md), over random guests, workloads, hint
 * periods, iteration budgets and handshake outcomes: every page that is hard in the guest at suspend
 * arrives identical, and every page that is clean page cache at suspend arrives equal to what its
 * file holds on disk. Free pages may differ. Whatever the guest's module does short of lying in its
 * final set, the migration completes and verifies.
 */
class SoftMigrationPropertyTest {
    private static final long MIB = 1L << 20;

    @Provide
    Arbitrary<HintModuleSpec> modules() {
        return Arbitraries.of(
                HintModuleSpec.cooperative(),
                new HintModuleSpec.Cooperative(Duration.ofMillis(10), Duration.ZERO, true),
                new HintModuleSpec.Cooperative(Duration.ofSeconds(2), Duration.ofMillis(200), false),
                HintModuleSpec.slow(),
                HintModuleSpec.none(),
                HintModuleSpec.hostile(HintModuleSpec.HostileKind.TORN_GENERATION),
                HintModuleSpec.hostile(HintModuleSpec.HostileKind.BAD_MAGIC),
                HintModuleSpec.hostile(HintModuleSpec.HostileKind.BAD_VERSION),
                HintModuleSpec.hostile(HintModuleSpec.HostileKind.BAD_LENGTHS));
    }

    @Property(tries = 14)
    void hardPagesAndCleanCacheArriveIntact(
            @ForAll("modules") HintModuleSpec module,
            @ForAll @IntRange(min = 0, max = 30_000) int dirtyPagesPerSecond,
            @ForAll @IntRange(min = 1, max = 24) int hotSetMib,
            @ForAll @IntRange(min = 0, max = 80) int cacheMib,
            @ForAll @IntRange(min = 0, max = 40) int userMib,
            @ForAll boolean churn,
            @ForAll boolean retainHot,
            @ForAll @IntRange(min = 0, max = 5) int maxIterations,
            @ForAll @LongRange(min = 1, max = 1_000_000) long seed) throws Exception {
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
