package org.sonicmigration.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.sonicmigration.guest.FinalRead;
import org.sonicmigration.guest.SoftSet;
import org.sonicmigration.sim.guest.ClockMode;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.sim.kernel.FrameSpace;
import org.sonicmigration.sim.kernel.PageState;
import org.sonicmigration.sim.kernel.WritebackPolicy;
import org.sonicmigration.sim.module.HintModuleSpec;
import org.sonicmigration.sim.verify.MigrationVerifier;
import org.sonicmigration.sim.verify.VerificationMode;
import org.sonicmigration.sim.verify.VerificationResult;
import org.sonicmigration.sim.workload.WorkloadSpec;
import org.sonicmigration.spi.DomainRef;
import org.sonicmigration.spi.SourceDomain;
import org.sonicmigration.spi.TargetDomain;

/**
 * The module's half of DESIGN.md's safety argument: whatever the guest does and however the rounds are timed,
 * a migration that trusts a cooperative module's hints and final set loses no hard page and serves no stale
 * cache (SOFT verification passes). A module that holds its final set (on a kernel without {@code init_on_alloc})
 * still holds every page of it when the guest is suspended; one that lists it (the default) may see the guest
 * take and write those pages before the pause, and every such page reaches the destination with its data.
 */
class SoftMiniMigrationPropertyTest {
    static final long MIB = 1 << 20;

    /** One try: the guest's workloads, frame space, module options, and the timing of the rounds. */
    record Case(int cacheMib, int anonMib, int writerPagesPerSecond, boolean churn, boolean referenced, boolean pvh,
                int rounds, int betweenMs, int seed, boolean hold, int recyclePagesPerSecond) {
    }

    static final Gen<Case> CASES = in -> new Case(integers().between(0, 48).generate(in),
            integers().between(0, 24).generate(in), integers().between(0, 20_000).generate(in),
            booleans().all().generate(in), booleans().all().generate(in), booleans().all().generate(in),
            integers().between(1, 4).generate(in), integers().between(1, 60).generate(in),
            integers().between(0, 1000).generate(in), booleans().all().generate(in),
            integers().between(0, 20_000).generate(in));

    @Test
    void trustingACooperativeModuleNeverLosesAHardPage() {
        qt().withExamples(10).withShrinkCycles(20).forAll(CASES).checkAssert(c -> trustingACooperativeModuleNeverLosesAHardPage(
                c.cacheMib(), c.anonMib(), c.writerPagesPerSecond(), c.churn(), c.referenced(), c.pvh(), c.rounds(),
                c.betweenMs(), c.seed(), c.hold(), c.recyclePagesPerSecond()));
    }

    private static void trustingACooperativeModuleNeverLosesAHardPage(int cacheMib, int anonMib,
            int writerPagesPerSecond, boolean churn, boolean referenced, boolean pvh, int rounds, int betweenMs,
            int seed, boolean hold, int recyclePagesPerSecond) {
        List<WorkloadSpec> during = new ArrayList<>();
        if (writerPagesPerSecond > 0) {
            during.add(WorkloadSpec.randomWriter(4 * MIB, writerPagesPerSecond));
        }
        if (churn) {
            during.add(new WorkloadSpec.FileChurn(60, 512, 32768, 3000));
        }
        if (recyclePagesPerSecond > 0) {
            during.add(new WorkloadSpec.MemoryChurn(4 * MIB, recyclePagesPerSecond));
        }
        if (anonMib > 0) {
            during.add(new WorkloadSpec.AllocateAnon(anonMib * MIB, 64 * MIB)); // still allocating while migrating
        }
        GuestConfig cfg = GuestConfig.linux61("vm", 128 * MIB).withClock(ClockMode.VIRTUAL).withSeed(seed)
                .withFrameSpace(pvh ? FrameSpace.XEN_PVH : FrameSpace.FLAT)
                .withWriteback(new WritebackPolicy(Duration.ofMillis(30), Duration.ofMillis(10), Duration.ofMillis(4)))
                .withHintModule(new HintModuleSpec.Cooperative(Duration.ofMillis(20), Duration.ofMillis(2), referenced,
                        hold ? HintModuleSpec.FinalSet.HOLD : HintModuleSpec.FinalSet.LIST))
                .withInitOnAlloc(!hold);
        try (SimHypervisor a = new SimHypervisor("a"); SimHypervisor b = new SimHypervisor("b")) {
            SimGuest g = a.createGuest(cfg);
            if (cacheMib > 0) {
                g.start(new WorkloadSpec.FillCache(cacheMib * MIB, 4 * MIB, 256 * MIB));
                assertThat(g.advanceUntilReady(Duration.ofMillis(10), Duration.ofSeconds(10))).isTrue();
            }
            during.forEach(g::start);
            g.advance(Duration.ofMillis(50));
            try (SourceDomain src = a.openSource(new DomainRef.ByName("vm"));
                 TargetDomain dst = b.createTarget(MiniMigration.specFor(src, "vm"))) {
                SoftMiniMigration.Outcome o = SoftMiniMigration.run(g, src, dst, rounds, Duration.ofMillis(betweenMs));
                assertThat(o.answer()).isInstanceOf(FinalRead.Ready.class);
                SoftSet fin = ((FinalRead.Ready) o.answer()).finalSet();
                SimTargetDomain target = b.target("vm").orElseThrow();
                if (hold) {
                    HintModuleHandshakeTest.assertEveryMember(fin, g, PageState.HELD);
                } else {
                    for (long p = fin.nextSetBit(0); p >= 0; p = fin.nextSetBit(p + 1)) {
                        if (g.pageState(p) != PageState.FREE) {
                            assertThat(target.isPopulatedWithoutData(p)).as("pfn %d, taken as %s after the scan", p,
                                    g.pageState(p)).isFalse();
                        }
                    }
                }
                VerificationResult r = MigrationVerifier.verify(g, target, VerificationMode.SOFT);
                assertThat(r.passed()).as(r.toString()).isTrue();
                assertThat(o.noData()).as("the final set was used").isPositive();
            }
        }
    }
}
