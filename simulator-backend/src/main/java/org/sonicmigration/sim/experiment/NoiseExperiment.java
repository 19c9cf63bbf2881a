package org.sonicmigration.sim.experiment;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;
import org.sonicmigration.engine.MigrationListener;
import org.sonicmigration.engine.MigrationOptions;
import org.sonicmigration.engine.Phase;
import org.sonicmigration.engine.SoftPolicy;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.workload.WorkloadSpec;
import org.sonicmigration.transport.Bandwidth;

/**
 * The SonicMigration paper's motivation (its Figure 1), measured on this host: a collocated workload
 * ({@link HashingLoad}) runs while a cache-heavy simulated guest migrates in real time over loopback, the whole
 * data path in this process (engine, sender, receiver, verifier), once with plain pre-copy and once with soft
 * pages skipped; the workload's throughput is sampled from before the migration to after it, and what the
 * migration cost it is {@link ThroughputLoss}. Rounds alternate which policy goes first.
 */
public final class NoiseExperiment {

    /**
     * The experiment.
     *
     * @param memoryBytes  guest memory
     * @param cacheBytes   file data the guest reads into its page cache before migrating
     * @param bandwidth    link cap
     * @param rounds       rounds, each one migration per policy
     * @param threads      hashing threads of the collocated workload
     * @param bufferBytes  each hashing thread's buffer (larger than the CPU's caches)
     * @param sample       sampling period
     * @param before       baseline window sampled before each migration
     * @param after        time sampled after each migration
     * @param seed         guest seed
     */
    public record Config(long memoryBytes, long cacheBytes, Bandwidth bandwidth, int rounds, int threads,
                         int bufferBytes, Duration sample, Duration before, Duration after, long seed) {
        public Config {
            Objects.requireNonNull(bandwidth, "bandwidth");
            if (rounds < 1 || threads < 1) {
                throw new IllegalArgumentException("need at least one round and one thread");
            }
            if (sample.isNegative() || sample.isZero() || before.compareTo(sample.multipliedBy(2)) < 0) {
                throw new IllegalArgumentException("the baseline window (" + before.toMillis()
                        + " ms) must hold at least two samples of " + sample.toMillis() + " ms");
            }
        }
    }

    /**
     * One migration with the workload beside it.
     *
     * @param round            round number, from 1
     * @param position         1 if this policy went first in its round, else 2
     * @param policy           soft-page policy
     * @param migrationSeconds real time from the engine's connect to its done
     * @param loss             what it cost the workload
     * @param pagesSent        pages sent with data
     * @param iterations       passes, the final one included
     * @param verified         the destination matched the source where it must
     * @param migrationCpu     CPU seconds this process spent during the migration besides the workload's threads
     *                         (engine, sender, receiver, the simulated guest and hosts, GC and JIT)
     * @param workloadCpu      CPU seconds the workload's threads got during the migration
     * @param cpuLostSeconds   the loss the migration's CPU alone costs a workload with every core to itself:
     *                         {@code migrationCpu / threads}, in seconds of its throughput (robust to other load on
     *                         the host, which moves the throughput samples but not this count)
     * @param baselineEfficiency the workload's bytes hashed per CPU second of its own before the migration
     * @param duringEfficiency   the same during the migration (lower: the migration slowed each CPU second of
     *                           the workload, through the caches and memory it shares)
     * @param samples          the workload's throughput, seconds from the migration's start
     */
    public record Run(int round, int position, SoftPolicy policy, double migrationSeconds, ThroughputLoss loss,
                      long pagesSent, int iterations, boolean verified, double migrationCpu, double workloadCpu,
                      double cpuLostSeconds, double baselineEfficiency, double duringEfficiency, List<ThroughputLoss.Sample> samples) {
        public Run {
            samples = List.copyOf(samples);
        }
    }

    /**
     * Medians and ranges over the rounds.
     *
     * @param preCopy      plain pre-copy's migration time and loss
     * @param sonic        SonicMigration's
     * @param lossRatio    SonicMigration's median loss over pre-copy's median loss; NaN when pre-copy's is not
     *                     positive (other load on the host drowned it, and a ratio would mean nothing)
     * @param roundRatios  the same ratio round by round: median, min and max
     * @param cpuRatio     SonicMigration's median migration CPU over pre-copy's: the loss ratio a workload that
     *                     has the host's cores to itself would see, were the migration's CPU all it lost
     */
    public record Summary(PolicySummary preCopy, PolicySummary sonic, double lossRatio, Spread roundRatios,
                          double cpuRatio) {
    }

    /**
     * One policy's medians and ranges over the rounds; {@code efficiencyChange} is the workload's bytes per CPU
     * second during the migration against before it, minus one.
     */
    public record PolicySummary(Spread migrationSeconds, Spread lostSeconds, Spread baselineRate, Spread duringRate,
                                Spread migrationCpu, Spread cpuLostSeconds, Spread efficiencyChange) {
    }

    /** Median, min and max of a figure over the rounds where it is defined (finite). */
    public record Spread(double median, double min, double max) {
        static <T> Spread of(List<T> runs, ToDoubleFunction<T> f) {
            double[] v = runs.stream().mapToDouble(f).filter(Double::isFinite).sorted().toArray();
            if (v.length == 0) {
                return new Spread(Double.NaN, Double.NaN, Double.NaN);
            }
            double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
            return new Spread(median, v[0], v[v.length - 1]);
        }
    }

    /** A moment of a run: wall clock, this process's CPU, the workload's CPU and its bytes hashed. */
    private record Mark(long nanos, long processCpu, long loadCpu, long hashed) {
        static Mark now(HashingLoad load) {
            return new Mark(System.nanoTime(), processCpuNanos(), load.cpuNanos(), load.bytesHashed());
        }

        double bytesPerCpuSecond(Mark later) {
            long cpu = later.loadCpu - loadCpu;
            return cpu > 0 ? (later.hashed - hashed) * 1e9 / cpu : Double.NaN;
        }
    }

    private static final long FILL_RATE = 1L << 30;
    private static final java.lang.management.OperatingSystemMXBean OS =
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    /** CPU nanoseconds this process has used, or 0 where the JVM cannot tell. */
    static long processCpuNanos() {
        return OS instanceof com.sun.management.OperatingSystemMXBean sun ? Math.max(0, sun.getProcessCpuTime()) : 0;
    }

    private NoiseExperiment() {}

    /** Runs every round; {@code progress} hears each migration as it ends. */
    public static List<Run> run(Config config, Consumer<Run> progress) throws IOException, InterruptedException {
        List<Run> runs = new ArrayList<>();
        try (HashingLoad load = new HashingLoad(config.threads(), config.bufferBytes())) {
            warmUp(config);
            for (int round = 1; round <= config.rounds(); round++) {
                List<SoftPolicy> order = round % 2 == 1 ? List.of(SoftPolicy.OFF, SoftPolicy.FREE_AND_CACHE)
                        : List.of(SoftPolicy.FREE_AND_CACHE, SoftPolicy.OFF);
                for (int i = 0; i < order.size(); i++) {
                    Run r = runOne(config, load, round, i + 1, order.get(i));
                    runs.add(r);
                    progress.accept(r);
                }
            }
        }
        return runs;
    }

    /** Medians and ranges of {@code runs}. */
    public static Summary summarize(List<Run> runs) {
        PolicySummary p = policy(runs.stream().filter(r -> r.policy() == SoftPolicy.OFF).toList());
        PolicySummary s = policy(runs.stream().filter(r -> r.policy() != SoftPolicy.OFF).toList());
        double ratio = p.lostSeconds().median() > 0 ? s.lostSeconds().median() / p.lostSeconds().median() : Double.NaN;
        return new Summary(p, s, ratio,
                Spread.of(roundRatios(runs), RoundRatio::ratio), s.migrationCpu().median() / p.migrationCpu().median());
    }

    /** A round's SonicMigration loss over its pre-copy loss. */
    private record RoundRatio(int round, double ratio) {}

    private static List<RoundRatio> roundRatios(List<Run> runs) {
        List<RoundRatio> ratios = new ArrayList<>();
        for (Run s : runs) {
            if (s.policy() == SoftPolicy.OFF) {
                continue;
            }
            runs.stream().filter(p -> p.policy() == SoftPolicy.OFF && p.round() == s.round()).findFirst()
                    .ifPresent(p -> ratios.add(new RoundRatio(s.round(), p.loss().lostSeconds() > 0
                            ? s.loss().lostSeconds() / p.loss().lostSeconds() : Double.NaN)));
        }
        return ratios;
    }

    private static PolicySummary policy(List<Run> runs) {
        return new PolicySummary(Spread.of(runs, Run::migrationSeconds), Spread.of(runs, r -> r.loss().lostSeconds()),
                Spread.of(runs, r -> r.loss().baselineRate()), Spread.of(runs, r -> r.loss().duringRate()),
                Spread.of(runs, Run::migrationCpu), Spread.of(runs, Run::cpuLostSeconds),
                Spread.of(runs, r -> r.duringEfficiency() / r.baselineEfficiency() - 1));
    }

    /** The round whose SonicMigration-to-pre-copy loss ratio is the median one (the one to plot); 1 if none. */
    public static int medianRound(List<Run> runs) {
        List<RoundRatio> ratios = new ArrayList<>(roundRatios(runs));
        if (ratios.isEmpty()) {
            return 1;
        }
        ratios.removeIf(r -> !Double.isFinite(r.ratio()));
        if (ratios.isEmpty()) {
            return runs.getFirst().round();
        }
        ratios.sort(Comparator.comparingDouble(RoundRatio::ratio));
        return ratios.get((ratios.size() - 1) / 2).round();
    }

    /** One small untimed migration per policy, so that the first measured one does not pay for the JIT. */
    private static void warmUp(Config config) throws IOException, InterruptedException {
        for (SoftPolicy policy : List.of(SoftPolicy.OFF, SoftPolicy.FREE_AND_CACHE)) {
            SimulatedMigration.run(setup(64L << 20, 32L << 20, config.bandwidth(), policy, config.seed()),
                    MigrationListener.NONE);
        }
    }

    private static SimulatedMigration.Setup setup(long memory, long cache, Bandwidth bandwidth, SoftPolicy policy,
                                                  long seed) {
        // The cache is filled fast: preparing is not measured, and at the measured guest's 96 MiB/s it would
        // spend more time than the migrations.
        List<WorkloadSpec> prepare = List.of(new WorkloadSpec.FillCache(cache, 256L << 20, FILL_RATE));
        MigrationOptions options = MigrationOptions.defaults().withBandwidth(Optional.of(bandwidth)).withSoft(policy);
        return new SimulatedMigration.Setup(GuestConfig.linux61("noise", memory).withSeed(seed), prepare, List.of(),
                options, false);
    }

    static Run runOne(Config c, HashingLoad load, int round, int position, SoftPolicy policy)
            throws IOException, InterruptedException {
        Mark[] marks = new Mark[3]; // the baseline window's start, the engine's connect, its done
        MigrationListener clocking = new MigrationListener() {
            @Override
            public void phase(Phase phase) {
                if (phase == Phase.CONNECT && marks[1] == null) {
                    marks[1] = Mark.now(load);
                } else if (phase == Phase.DONE) {
                    marks[2] = Mark.now(load);
                }
            }
        };
        ThroughputSampler[] sampler = new ThroughputSampler[1];
        try {
            SimulatedMigration.Result result = SimulatedMigration.run(
                    setup(c.memoryBytes(), c.cacheBytes(), c.bandwidth(), policy, c.seed()), clocking,
                    (SimulatedMigration.GuestUse<Void>) (host, guest, clock) -> {
                        sampler[0] = new ThroughputSampler(load::bytesHashed, c.sample().toNanos());
                        marks[0] = Mark.now(load);
                        Thread.sleep(c.before().toMillis());
                        return null;
                    });
            Thread.sleep(c.after().toMillis());
            sampler[0].close();
            if (marks[1] == null) {
                throw new IOException("the migration never connected: " + result.report().error());
            }
            // a migration that failed has no DONE: its time is the engine's own, its CPU unknown
            Mark end = marks[2] != null ? marks[2]
                    : new Mark(marks[1].nanos() + result.report().totalNanos(), marks[1].processCpu(), marks[1].loadCpu(),
                            marks[1].hashed());
            double seconds = (end.nanos() - marks[1].nanos()) / 1e9;
            double workloadCpu = (end.loadCpu() - marks[1].loadCpu()) / 1e9;
            double migrationCpu = (end.processCpu() - marks[1].processCpu()) / 1e9 - workloadCpu;
            List<ThroughputLoss.Sample> samples = sampler[0].samples(marks[1].nanos());
            ThroughputLoss loss = ThroughputLoss.of(samples, c.before().toNanos() / 1e9, seconds);
            return new Run(round, position, policy, seconds, loss, result.report().pagesSent(),
                    result.report().iterations().size(), result.passed(), migrationCpu, workloadCpu,
                    migrationCpu / c.threads(), marks[0].bytesPerCpuSecond(marks[1]), marks[1].bytesPerCpuSecond(end), samples);
        } finally {
            if (sampler[0] != null) {
                sampler[0].close();
            }
        }
    }
}
