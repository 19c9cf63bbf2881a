package org.sonicmigration.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.sonicmigration.spi.DomainRef;
import org.sonicmigration.spi.SourceDomain;
import org.sonicmigration.spi.TargetDomain;
import org.sonicmigration.guest.FinalRead;
import org.sonicmigration.guest.SoftSet;

/**
 * The module's half of DESIGN.md's safety argument: whatever the guest does and however the rounds are timed,
 * a migration that trusts a cooperative module's hints and final set loses no hard page and serves no stale
 * cache (SOFT verification passes), and every page of the final set is still held when the guest is suspended.
 */
class SoftMiniMigrationPropertyTest {
    static final long MIB = 1 << 20;

    @Property(tries = 10)
    void trustingACooperativeModuleNeverLosesAHardPage(
            @ForAll @IntRange(min = 0, max = 48) int cacheMib, @ForAll @IntRange(min = 0, max = 24) int anonMib,
            @ForAll @IntRange(min = 0, max = 20_000) int writerPagesPerSecond, @ForAll boolean churn,
            @ForAll boolean referenced, @ForAll boolean pvh, @ForAll @IntRange(min = 1, max = 4) int rounds,
            @ForAll @IntRange(min = 1, max = 60) int betweenMs, @ForAll @IntRange(min = 0, max = 1000) int seed) {
        List<WorkloadSpec> during = new ArrayList<>();
        if (writerPagesPerSecond > 0) {
            during.add(WorkloadSpec.randomWriter(4 * MIB, writerPagesPerSecond));
        }
        if (churn) {
            during.add(new WorkloadSpec.FileChurn(60, 512, 32768, 3000));
        }
        if (anonMib > 0) {
            during.add(new WorkloadSpec.AllocateAnon(anonMib * MIB, 64 * MIB)); // still allocating while migrating
        }
        GuestConfig cfg = GuestConfig.linux61("vm", 128 * MIB).withClock(ClockMode.VIRTUAL).withSeed(seed)
                .withFrameSpace(pvh ? FrameSpace.XEN_PVH : FrameSpace.FLAT)
                .withWriteback(new WritebackPolicy(Duration.ofMillis(30), Duration.ofMillis(10), Duration.ofMillis(4)))
                .withHintModule(new HintModuleSpec.Cooperative(Duration.ofMillis(20), Duration.ofMillis(2), referenced));
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
                HintModuleHandshakeTest.assertEveryMember(fin, g, PageState.HELD);
                VerificationResult r = MigrationVerifier.verify(g, b.target("vm").orElseThrow(), VerificationMode.SOFT);
                assertThat(r.passed()).as(r.toString()).isTrue();
                assertThat(o.noData()).as("the final set was used").isPositive();
            }
        }
    }
}
