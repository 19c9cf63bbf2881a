package org.sonicmigration.sim.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.sonicmigration.engine.IterationStats;
import org.sonicmigration.engine.MigrationControl;
import org.sonicmigration.engine.MigrationListener;
import org.sonicmigration.engine.MigrationOptions;
import org.sonicmigration.engine.Outcome;
import org.sonicmigration.engine.PassKind;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.sim.kernel.PageStoreMode;
import org.sonicmigration.sim.module.HintModule;
import org.sonicmigration.sim.module.HintModuleSpec;
import org.sonicmigration.sim.workload.WorkloadSpec;
import org.sonicmigration.transport.Bandwidth;

/**
 * SPEC.md §4.4 end to end: an ABI 1.1 guest scans only while dom0 holds a lease on its live hint, so the
 * engine must ask before pass 0, renew while the live passes run however long they take, and end the lease on
 * every exit path; an ABI 1.0 guest keeps publishing by itself and is migrated as before.
 */
class OnDemandHintTest {
    private static final long MIB = 1L << 20;

    private static SimulatedMigration.Setup setup(HintModuleSpec module, String bandwidth, List<WorkloadSpec> during) {
        return new SimulatedMigration.Setup(GuestConfig.linux61("lease", 64 * MIB).withStoreMode(PageStoreMode.SEEDED)
                .withSeed(11).withHintModule(module), List.of(WorkloadSpec.fillCache(24 * MIB)), during,
                MigrationOptions.defaults().withBandwidth(Optional.of(Bandwidth.parse(bandwidth))), true);
    }

    private static HintModule run(SimulatedMigration.Setup setup, MigrationControl control,
                                  MigrationListener listener, AtomicReference<SimulatedMigration.Result> result)
            throws Exception {
        AtomicReference<SimGuest> guest = new AtomicReference<>();
        result.set(SimulatedMigration.run(setup, listener, guest::set, control));
        return guest.get().hintModule().orElseThrow();
    }

    @Test
    void anIdleOnDemandGuestScansOnlyAtLoadWhileAPeriodicOneKeepsScanning() throws Exception {
        HintModuleSpec.Cooperative onDemand = HintModuleSpec.cooperative();
        long[] publications = new long[2];
        int i = 0;
        for (HintModuleSpec m : List.of(onDemand, onDemand.withPublication(HintModuleSpec.Publication.PERIODIC))) {
            SimulatedMigration.Setup s = setup(m, "1Gbit", List.of());
            publications[i++] = SimulatedMigration.withPreparedGuest(s, (host, guest, clock) -> {
                clock.sleepNanos(Duration.ofSeconds(5).toNanos());
                return guest.hintModule().orElseThrow().stats().publications();
            });
        }
        assertThat(publications[0]).as("on demand, 5 s idle after preparing").isEqualTo(1);
        assertThat(publications[1]).as("periodic every 100 ms").isGreaterThan(40);
    }

    @Test
    void theEngineAsksBeforePassZeroAndEndsTheLeaseWhenTheLivePassesAreOver() throws Exception {
        var result = new AtomicReference<SimulatedMigration.Result>();
        HintModule m = run(setup(HintModuleSpec.cooperative(), "1Gbit", List.of()), new MigrationControl(),
                MigrationListener.NONE, result);
        var r = result.get();
        assertThat(r.passed()).isTrue();
        assertThat(m.stats().leases()).as("leases granted").isGreaterThanOrEqualTo(1);
        assertThat(m.stats().leaseEnds()).as("leases ended by dom0").isEqualTo(1);
        assertThat(m.leaseLive()).isFalse();
        assertThat(m.lastLeaseWrite()).isZero();
        assertThat(r.report().soft().livePublication()).startsWith("on demand").contains("first hint");
        IterationStats pass0 = r.report().iterations().get(0);
        assertThat(pass0.skipped()).as("pass 0 skips what the on-demand hint calls soft")
                .isGreaterThan(r.report().guestPages() / 4);
    }

    @Test
    void aLongMigrationRenewsTheLeaseSoItNeverLapses() throws Exception {
        // 4 Mbit/s: the live passes take minutes of virtual time, several 30 s leases.
        var result = new AtomicReference<SimulatedMigration.Result>();
        HintModule m = run(setup(HintModuleSpec.cooperative(), "4Mbit", List.of(WorkloadSpec.randomWriter(4 * MIB, 200))),
                new MigrationControl(), MigrationListener.NONE, result);
        var r = result.get();
        assertThat(r.passed()).isTrue();
        long liveNanos = r.report().iterations().stream().filter(s -> s.kind() == PassKind.LIVE)
                .mapToLong(IterationStats::nanos).sum();
        assertThat(liveNanos).as("live passes outlast one lease").isGreaterThan(Duration.ofSeconds(45).toNanos());
        assertThat(m.stats().leaseLapses()).as("leases that ran out while the live passes ran").isZero();
        assertThat(m.stats().leases()).as("renewed").isGreaterThanOrEqualTo(2);
        assertThat(r.report().soft().livePublication()).contains("lease renewed");
        assertThat(r.report().soft().usableHints()).as("every live read found a fresh hint")
                .isEqualTo(r.report().soft().hintReads());
        assertThat(m.lastLeaseWrite()).isZero();
    }

    @Test
    void aStoppedMigrationLeavesNoLeaseLive() throws Exception {
        MigrationControl control = new MigrationControl();
        MigrationListener stopAfterPassZero = new MigrationListener() {
            @Override
            public void iterationFinished(IterationStats stats) {
                control.requestAbort("test: stop after pass 0");
            }
        };
        var result = new AtomicReference<SimulatedMigration.Result>();
        HintModule m = run(setup(HintModuleSpec.cooperative(), "1Gbit", List.of()), control, stopAfterPassZero, result);
        assertThat(result.get().report().outcome()).isEqualTo(Outcome.ABORTED);
        assertThat(m.stats().leases()).isGreaterThanOrEqualTo(1);
        assertThat(m.lastLeaseWrite()).as("dom0's last live-request after the rollback").isZero();
    }

    @Test
    void aPeriodicGuestIsMigratedWithItsOwnHintsAndGetsNoLease() throws Exception {
        var result = new AtomicReference<SimulatedMigration.Result>();
        HintModule m = run(setup(HintModuleSpec.cooperative().withPublication(HintModuleSpec.Publication.PERIODIC),
                "1Gbit", List.of()), new MigrationControl(), MigrationListener.NONE, result);
        var r = result.get();
        assertThat(r.passed()).isTrue();
        assertThat(m.stats().leases()).isZero();
        assertThat(m.lastLeaseWrite()).as("no lease written for an ABI 1.0 guest").isEqualTo(-1);
        assertThat(r.report().soft().livePublication()).startsWith("periodic");
        assertThat(r.report().iterations().get(0).skipped()).isGreaterThan(r.report().guestPages() / 4);
    }
}
