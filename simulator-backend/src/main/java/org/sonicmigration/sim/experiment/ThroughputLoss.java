package org.sonicmigration.sim.experiment;

import java.util.List;

/**
 * What a migration cost a collocated workload, from its throughput samples: its baseline throughput (the
 * time-weighted mean over a window before the migration), its mean throughput during the migration, and the
 * work it lost, (baseline − throughput) integrated over the migration's time.
 *
 * @param baselineRate  units per second before the migration
 * @param duringRate    units per second during it
 * @param seconds       the migration's length
 * @param lostUnits     work lost during the migration, in the workload's units
 */
public record ThroughputLoss(double baselineRate, double duringRate, double seconds, double lostUnits) {

    /**
     * One sample: the rate measured over the interval {@code from..to} (seconds from the migration's start).
     *
     * @param from start of its interval
     * @param to   end of its interval
     * @param rate units per second over it
     */
    public record Sample(double from, double to, double rate) {
        public Sample {
            if (!(to > from)) {
                throw new IllegalArgumentException("a sample's interval must not be empty: " + from + ".." + to);
            }
        }
    }

    /** The loss as seconds of the workload's baseline throughput (0 when it had none). */
    public double lostSeconds() {
        return baselineRate > 0 ? lostUnits / baselineRate : 0;
    }

    /**
     * The loss of a migration from {@code 0} to {@code migrationSeconds}, against the baseline measured over
     * {@code -baselineSeconds..0}. Samples straddling a window's edge count for the part inside it.
     *
     * @throws IllegalArgumentException if the samples do not cover the baseline window or the migration
     */
    public static ThroughputLoss of(List<Sample> samples, double baselineSeconds, double migrationSeconds) {
        double baseline = mean(samples, -baselineSeconds, 0);
        double during = mean(samples, 0, migrationSeconds);
        return new ThroughputLoss(baseline, during, migrationSeconds, (baseline - during) * migrationSeconds);
    }

    /** The time-weighted mean rate over {@code from..to}. */
    static double mean(List<Sample> samples, double from, double to) {
        double covered = 0;
        double units = 0;
        for (Sample s : samples) {
            double overlap = Math.min(s.to(), to) - Math.max(s.from(), from);
            if (overlap > 0) {
                covered += overlap;
                units += s.rate() * overlap;
            }
        }
        // a gap of up to one sampling hiccup is tolerated; a window without samples is an error, not a zero
        if (covered < 0.9 * (to - from) || covered <= 0) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                    "the samples cover %.3f s of the window %.3f..%.3f s", covered, from, to));
        }
        return units / covered;
    }
}
