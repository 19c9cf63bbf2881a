package org.sonicmigration.sim.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sonicmigration.engine.MigrationListener;
import org.sonicmigration.engine.MigrationOptions;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.module.HintModuleSpec;
import org.sonicmigration.sim.verify.VerificationResult;
import org.sonicmigration.sim.workload.WorkloadSpec;
import org.sonicmigration.transport.Bandwidth;

/**
 * A guest whose module breaks the ABI can only hurt itself: the migrator never crashes or stalls,
 * falls back as SPEC §8.3 says and names the fallback (bits flipped behind the seqlock's back show as a
 * count that disagrees with the bitmap); a guest that lies in its final soft set loses exactly the hard
 * pages it lied about, and nothing else, unless {@code --verify-hints} catches it writing the pages it
 * calls soft, and then it gets plain pre-copy and loses nothing.
 */
class HostileGuestTest {
    private static final long MIB = 1L << 20;

    private static SimulatedMigration.Result migrate(HintModuleSpec module) throws Exception {
        return migrate(module, org.sonicmigration.engine.SoftPolicy.FREE_AND_CACHE);
    }

    private static SimulatedMigration.Result migrate(HintModuleSpec module, org.sonicmigration.engine.SoftPolicy policy)
            throws Exception {
        return migrate(module, policy, false);
    }

    private static SimulatedMigration.Result migrate(HintModuleSpec module, org.sonicmigration.engine.SoftPolicy policy,
                                                     boolean verifyHints) throws Exception {
        MigrationOptions options = MigrationOptions.defaults().withBandwidth(Optional.of(Bandwidth.parse("1Gbit")))
                .withSoft(policy).withVerifyHints(verifyHints);
        GuestConfig guest = GuestConfig.linux61("hostile", 128 * MIB).withSeed(11).withHintModule(module);
        return SimulatedMigration.run(new SimulatedMigration.Setup(guest,
                List.of(WorkloadSpec.fillCache(48 * MIB), WorkloadSpec.allocateAnon(16 * MIB)),
                List.of(WorkloadSpec.randomWriter(4 * MIB, 2000)), options, true), MigrationListener.NONE);
    }

    @ParameterizedTest
    @EnumSource(value = HintModuleSpec.HostileKind.class, names = {"TORN_GENERATION", "BAD_MAGIC", "BAD_VERSION", "BAD_LENGTHS",
            "PFNS_BEYOND_MEMORY", "FLIPPED_BITS"})
    void aMalformedAreaFallsBackSafely(HintModuleSpec.HostileKind kind) throws Exception {
        SimulatedMigration.Result r = migrate(HintModuleSpec.hostile(kind));
        assertThat(r.passed()).as(r.verification().toString()).isTrue();
        assertThat(r.report().soft().fallbacks()).as("the report names the fallback").isNotEmpty();
        if (kind != HintModuleSpec.HostileKind.TORN_GENERATION) {
            // A malformed area has no usable final set either: nothing may go unsent.
            assertThat(r.report().soft().unsentPages()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(value = HintModuleSpec.HostileKind.class, names = {"ALL_SOFT", "LYING_FINAL"})
    void aGuestThatLiesLosesOnlyItsOwnHardPages(HintModuleSpec.HostileKind kind) throws Exception {
        SimulatedMigration.Result r = migrate(HintModuleSpec.hostile(kind));
        assertThat(r.report().completed()).isTrue();
        VerificationResult v = r.verification().orElseThrow();
        // The lie shows up as damaged hard pages of this guest, detected by the verifier.
        assertThat(v.passed()).isFalse();
        assertThat(v.mismatches()).isPositive();
        assertThat(v.stateEqual()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(value = HintModuleSpec.HostileKind.class, names = {"ALL_SOFT", "LYING_FINAL"})
    void withVerifyHintsALiarIsCaughtAndGetsPlainPreCopy(HintModuleSpec.HostileKind kind) throws Exception {
        SimulatedMigration.Result r = migrate(HintModuleSpec.hostile(kind),
                org.sonicmigration.engine.SoftPolicy.FREE_AND_CACHE, true);
        assertThat(r.passed()).as(r.verification().toString()).isTrue();
        assertThat(r.report().soft().fallbacks()).as("the report says why")
                .anySatisfy(f -> assertThat(f).contains("the guest was caught lying").contains("plain pre-copy"));
        assertThat(r.report().soft().unsentPages()).isZero();
    }

    @org.junit.jupiter.api.Test
    void withVerifyHintsAnHonestGuestIsBelievedAndKeepsItsGain() throws Exception {
        SimulatedMigration.Result r = migrate(HintModuleSpec.cooperative(),
                org.sonicmigration.engine.SoftPolicy.FREE_AND_CACHE, true);
        assertThat(r.passed()).as(r.verification().toString()).isTrue();
        assertThat(r.report().soft().fallbacks()).isEmpty();
        assertThat(r.report().soft().unsentPages()).isGreaterThan(128 * MIB / 4096 / 3);
    }

    @org.junit.jupiter.api.Test
    void aSlowGuestMissesTheDeadlineAndEveryStalePageIsSent() throws Exception {
        SimulatedMigration.Result r = migrate(HintModuleSpec.slow());
        assertThat(r.passed()).isTrue();
        assertThat(r.report().soft().handshake()).contains("did not answer within 2000 ms");
        assertThat(r.report().soft().unsentPages()).isZero();
        // The pages it had called soft went in the live catch-up, not in the downtime.
        assertThat(r.report().soft().catchUpPages()).isPositive();
        assertThat(r.report().iterations().getLast().pagesSent()).isLessThan(r.report().soft().catchUpPages());
    }

    @org.junit.jupiter.api.Test
    void aCooperativeGuestLeavesItsFreeAndCachePagesUnsent() throws Exception {
        SimulatedMigration.Result r = migrate(HintModuleSpec.cooperative());
        assertThat(r.passed()).as(r.verification().toString()).isTrue();
        assertThat(r.report().soft().fallbacks()).isEmpty();
        // 48 MiB of cache dropped plus the free pages: well over a third of 128 MiB never crosses the link.
        assertThat(r.report().soft().unsentPages()).isGreaterThan(128 * MIB / 4096 / 3);
    }

    @org.junit.jupiter.api.Test
    void withTheFreePolicyTheGuestKeepsItsCacheAndOnlyFreePagesStayBehind() throws Exception {
        SimulatedMigration.Result keep = migrate(HintModuleSpec.cooperative(), org.sonicmigration.engine.SoftPolicy.FREE);
        SimulatedMigration.Result drop = migrate(HintModuleSpec.cooperative());
        assertThat(keep.passed()).as(keep.verification().toString()).isTrue();
        long cacheKept = keep.verification().orElseThrow().categories().cleanCache().pages();
        long cacheDropped = drop.verification().orElseThrow().categories().cleanCache().pages();
        // 48 MiB were read into the cache: with "free" most of it is still cache at suspend (and arrives
        // equal to the disk), with "free+cache" the guest dropped it.
        assertThat(cacheKept).isGreaterThan(48 * MIB / 4096 / 2);
        assertThat(cacheDropped).isLessThan(cacheKept / 10);
        assertThat(keep.report().soft().unsentPages()).isLessThan(drop.report().soft().unsentPages());
    }
}
