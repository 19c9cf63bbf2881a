package org.sonicmigration.sim.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sonicmigration.engine.IterationStats;
import org.sonicmigration.engine.MigrationListener;
import org.sonicmigration.engine.MigrationOptions;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.kernel.PageStoreMode;
import org.sonicmigration.transport.Bandwidth;

/**
 * A migration that starts the moment a guest boots finds its hint area advertised but not yet published
 * (generation 0): the module publishes within its declared period, so the engine waits for that first
 * publication (at most one period) before pass 0. Without the wait pass 0 has no hint and sends every
 * page, and an idle guest then saves nothing at all (README "Scale": 16 and 64 GiB guests).
 */
class FirstHintTest {

    @Test
    void aMigrationStartedAtBootWaitsForTheFirstHintAndSkipsSoftPagesInPassZero() throws Exception {
        // Virtual time: the guest's module runs only when the engine's clock moves, so the race is certain.
        var setup = new SimulatedMigration.Setup(GuestConfig.linux61("fresh", 256L << 20)
                .withStoreMode(PageStoreMode.SEEDED), List.of(), List.of(),
                MigrationOptions.defaults().withBandwidth(Optional.of(Bandwidth.parse("10Gbit"))), true);
        SimulatedMigration.Result r = SimulatedMigration.run(setup, MigrationListener.NONE);
        assertThat(r.passed()).isTrue();
        IterationStats pass0 = r.report().iterations().get(0);
        long guestPages = r.report().guestPages();
        assertThat(pass0.pagesSent()).as("pass 0 of a %d-page idle guest", guestPages).isLessThan(guestPages / 4);
        assertThat(r.report().pagesSent()).isLessThan(guestPages / 4);
    }
}
