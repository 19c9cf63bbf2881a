package org.sonicmigration.sim.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The noise experiment's loss is (baseline − throughput) integrated over the migration, from the samples. */
class ThroughputLossTest {

    /** Samples of {@code period} s from {@code from} to {@code to}, at {@code rate} except {@code dip} inside {@code dipFrom..dipTo}. */
    private static List<ThroughputLoss.Sample> series(double from, double to, double period, double rate,
                                                      double dipFrom, double dipTo, double dip) {
        List<ThroughputLoss.Sample> s = new ArrayList<>();
        for (double t = from; t < to - 1e-9; t += period) {
            double mid = t + period / 2;
            s.add(new ThroughputLoss.Sample(t, t + period, mid > dipFrom && mid < dipTo ? dip : rate));
        }
        return s;
    }

    @Test
    void aDipDuringTheMigrationIsLostWorkAndTheBaselineComesFromBefore() {
        // 1000 units/s; from 2 to 6 s into an 8 s migration the workload runs at 400: it loses 4 s x 600
        List<ThroughputLoss.Sample> s = series(-5, 12, 0.1, 1000, 2, 6, 400);
        ThroughputLoss loss = ThroughputLoss.of(s, 5, 8);
        assertThat(loss.baselineRate()).isCloseTo(1000, within(1e-6));
        assertThat(loss.duringRate()).isCloseTo((4 * 1000 + 4 * 400) / 8.0, within(1e-6));
        assertThat(loss.lostUnits()).isCloseTo(2400, within(1e-6));
        assertThat(loss.lostSeconds()).isCloseTo(2.4, within(1e-9));
    }

    @Test
    void aDipOutsideTheMigrationCostsItNothing() {
        // the verifier's work after the migration ends is not the migration's
        ThroughputLoss loss = ThroughputLoss.of(series(-5, 12, 0.1, 1000, 8.5, 11, 100), 5, 8);
        assertThat(loss.lostUnits()).isCloseTo(0, within(1e-6));
    }

    @Test
    void samplesStraddlingTheMigrationsEdgesCountForTheirPartInside() {
        // one sample of 1 s from 7.5 to 8.5 at rate 0 inside a migration ending at 8: half a second lost
        List<ThroughputLoss.Sample> s = new ArrayList<>(series(-2, 7.5, 0.5, 100, 0, 0, 0));
        s.add(new ThroughputLoss.Sample(7.5, 8.5, 0));
        assertThat(ThroughputLoss.of(s, 2, 8).lostUnits()).isCloseTo(50, within(1e-9));
    }

    @Test
    void theLossIsTheDipTimesItsLengthForAnyDip() {
        qt().withExamples(200).forAll(integers().between(1, 5000), integers().between(0, 100), integers().between(1, 300),
                integers().between(0, 299)).checkAssert((rate, dipPercent, migrationTenths, dipStartTenths) -> {
                    double migration = migrationTenths / 10.0;
                    double dipFrom = Math.min(dipStartTenths, migrationTenths - 1) / 10.0;
                    double dip = rate * dipPercent / 100.0;
                    ThroughputLoss loss = ThroughputLoss.of(series(-3, migration + 3, 0.1, rate, dipFrom, migration, dip),
                            3, migration);
                    assertThat(loss.lostUnits()).isCloseTo((rate - dip) * (migration - dipFrom), within(1e-6 * rate * migration));
                });
    }

    @Test
    void aWindowWithoutSamplesIsAnErrorNotAZero() {
        assertThatThrownBy(() -> ThroughputLoss.of(series(0, 5, 0.1, 1000, 0, 0, 0), 3, 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cover");
    }
}
