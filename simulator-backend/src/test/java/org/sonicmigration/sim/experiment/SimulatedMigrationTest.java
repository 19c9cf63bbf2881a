package org.sonicmigration.sim.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sonicmigration.engine.IterationStats;
import org.sonicmigration.engine.MigrationListener;
import org.sonicmigration.engine.MigrationOptions;
import org.sonicmigration.engine.SoftPolicy;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.verify.VerificationMode;
import org.sonicmigration.sim.verify.VerificationResult;
import org.sonicmigration.sim.workload.WorkloadSpec;
import org.sonicmigration.transport.Bandwidth;

/** Whole migrations on the simulator: the destination must equal the source at suspend, page for page. */
class SimulatedMigrationTest {
    private static final long MIB = 1L << 20;

    private static SimulatedMigration.Result migrate(List<WorkloadSpec> during, boolean virtual) throws Exception {
        // Plain pre-copy: these are the engine's basic guarantees, before any soft page is skipped.
        MigrationOptions options = MigrationOptions.defaults().withSoft(SoftPolicy.OFF)
                .withBandwidth(virtual ? Optional.of(Bandwidth.parse("1Gbit")) : Optional.empty());
        return SimulatedMigration.run(new SimulatedMigration.Setup(GuestConfig.linux61("g", 256 * MIB).withSeed(3),
                List.of(), during, options, virtual), MigrationListener.NONE);
    }

    @Test
    void anIdleGuestMigratesInOnePassAndVerifies() throws Exception {
        SimulatedMigration.Result r = migrate(List.of(), false);
        assertThat(r.report().completed()).isTrue();
        assertThat(r.verification()).get().extracting(VerificationResult::passed).isEqualTo(true);
        // Plain pre-copy is verified strictly: every page of the guest compared.
        assertThat(r.verification().get().mode()).isEqualTo(VerificationMode.STRICT);
        assertThat(r.verification().get().pagesCompared()).isEqualTo(r.report().guestPages());
        // Nothing ran but the hint module, so only its area's pages can be dirty after the first pass.
        int areaPages = org.sonicmigration.guest.HintAreaGeometry.plan(256 * MIB / 4096, false).areaPages();
        assertThat(r.report().iterations().get(0).dirtyAfter()).isLessThanOrEqualTo(areaPages);
    }

    @Test
    void aGuestUnderWritesNeedsMoreThanOnePassAndStillVerifies() throws Exception {
        SimulatedMigration.Result r = migrate(List.of(WorkloadSpec.randomWriter(64 * MIB, 20_000)), false);
        assertThat(r.passed()).as(r.verification().toString()).isTrue();
        long livePasses = r.report().iterations().stream().filter(s -> s.kind() == org.sonicmigration.engine.PassKind.LIVE).count();
        assertThat(livePasses).isGreaterThan(1);
        // Every page sent after the first pass was one the guest dirtied: more than the guest's size in total.
        assertThat(r.report().pagesSent()).isGreaterThan(r.report().guestPages());
    }

    @Test
    void onAVirtualClockTheSameSeedGivesTheSameMigration() throws Exception {
        List<WorkloadSpec> writer = List.of(WorkloadSpec.randomWriter(64 * MIB, 20_000));
        SimulatedMigration.Result a = migrate(writer, true);
        SimulatedMigration.Result b = migrate(writer, true);
        assertThat(a.passed()).isTrue();
        assertThat(a.report().iterations()).extracting(IterationStats::pagesSent)
                .isEqualTo(b.report().iterations().stream().map(IterationStats::pagesSent).toList());
        assertThat(a.report().totalNanos()).isEqualTo(b.report().totalNanos());
        // 1 Gbit/s is 125 MB/s: the modelled time is the stream's size over the link, give or take a burst.
        double expected = a.report().bytes() / 125e6;
        assertThat(a.report().totalNanos() / 1e9).isCloseTo(expected, org.assertj.core.data.Offset.offset(0.01));
    }
}
