package org.sonicmigration.sim.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sonicmigration.engine.MigrationListener;
import org.sonicmigration.engine.MigrationOptions;
import org.sonicmigration.engine.SoftPolicy;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.verify.VerificationMode;
import org.sonicmigration.sim.verify.VerificationResult;
import org.sonicmigration.sim.workload.WorkloadSpec;
import org.sonicmigration.transport.Bandwidth;

/**
 * The real engine against a guest whose module lists its final soft set (the default) while a program keeps
 * allocating and writing fresh pages, through the handshake and up to the pause: pages of the final set get
 * written after the guest named them, the engine sends those with their data, and the migration verifies.
 */
class ChurnMigrationTest {
    private static final long MIB = 1L << 20;

    @Test
    void aGuestChurningMemoryThroughTheHandshakeMigratesWithAListedFinalSetAndVerifies() throws Exception {
        MigrationOptions options = MigrationOptions.defaults().withSoft(SoftPolicy.FREE_AND_CACHE)
                .withBandwidth(Optional.of(Bandwidth.parse("1Gbit")));
        SimulatedMigration.Result r = SimulatedMigration.run(new SimulatedMigration.Setup(
                GuestConfig.linux61("churn", 256 * MIB).withSeed(2), List.of(WorkloadSpec.fillCache(128 * MIB)),
                List.of(WorkloadSpec.memoryChurn(50_000)), options, true), MigrationListener.NONE);

        assertThat(r.report().completed()).as(r.report().error()).isTrue();
        VerificationResult v = r.verification().orElseThrow();
        assertThat(v.mode()).isEqualTo(VerificationMode.SOFT);
        assertThat(v.passed()).as(v.toString()).isTrue();
        assertThat(r.report().soft().finalSoftPages()).as("a final soft set was used").isPositive();
        // the guest allocated and wrote listed pages before the pause: they went with their data
        assertThat(r.report().soft().finalSoftDirtied()).as("final-set pages written before the pause").isPositive();
        assertThat(v.categories().withoutData().checked()).as("pages left to the destination without data")
                .isEqualTo(r.report().soft().unsentPages()).isPositive();
        // every pfn with a frame on the source is on the destination, free ones included
        assertThat(v.pagesCompared()).isEqualTo(r.report().guestPages());
    }
}
