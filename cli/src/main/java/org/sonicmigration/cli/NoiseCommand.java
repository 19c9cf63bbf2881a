package org.sonicmigration.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sonicmigration.sim.experiment.NoiseExperiment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sonic experiment noise}: the paper's motivation, a collocated workload's throughput while a
 * cache-heavy simulated guest migrates in real time with plain pre-copy and with SonicMigration, and what
 * each migration cost it.
 */
@Command(name = "noise", footer = {"", "Examples:", "  sonic experiment noise", "  sonic experiment noise --memory 1G --cache 1G --rounds 1 -o noise-out"},
        mixinStandardHelpOptions = true,
        description = "The noise experiment: a hashing workload's throughput while a guest migrates, pre-copy vs SonicMigration.")
final class NoiseCommand implements Callable<Integer> {
    @Option(names = {"-m", "--memory"}, defaultValue = "4G", converter = Sizes.class,
            description = "Guest memory (default: ${DEFAULT-VALUE}).")
    long memory;

    @Option(names = "--cache", defaultValue = "4G", converter = Sizes.class,
            description = "File data the guest reads into its page cache before migrating (default: ${DEFAULT-VALUE}).")
    long cache;

    @CommandLine.Mixin
    ExperimentSetup setup;

    @Option(names = "--rounds", defaultValue = "3", description = "Rounds, each migrating once per policy, the order"
            + " alternating (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--threads", defaultValue = "0", description = "Hashing threads of the collocated workload; 0: one"
            + " per core (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--buffer", defaultValue = "64M", converter = Sizes.class,
            description = "Each hashing thread's buffer, larger than the CPU's caches (default: ${DEFAULT-VALUE}).")
    long buffer;

    @Option(names = "--sample", defaultValue = "100ms", converter = Durations.class,
            description = "Sampling period of the workload's throughput (default: ${DEFAULT-VALUE}).")
    Duration sample;

    @Option(names = "--before", defaultValue = "5s", converter = Durations.class,
            description = "Baseline sampled before each migration (default: ${DEFAULT-VALUE}).")
    Duration before;

    @Option(names = "--after", defaultValue = "5s", converter = Durations.class,
            description = "Time sampled after each migration (default: ${DEFAULT-VALUE}).")
    Duration after;

    @Option(names = {"-o", "--out"}, defaultValue = "noise-out", paramLabel = "DIR",
            description = "Where to write noise.csv, noise.json and noise.png (default: ${DEFAULT-VALUE}).")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        validate();
        int workers = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
        PrintWriter pw = spec.commandLine().getOut();
        Files.createDirectories(out);
        var config = new NoiseExperiment.Config(memory, cache, setup.bandwidth, rounds, workers, (int) buffer, sample, before,
                after, setup.seed);
        pw.printf(Locale.ROOT, "%d hashing threads of %s; guest %s with %s of files read, link %s%n", workers,
                Sizes.format(buffer), Sizes.format(memory), Sizes.format(cache), setup.bandwidth);
        pw.printf(Locale.ROOT, "%5s  %-16s %9s %11s %11s %10s %13s %10s %8s%n", "round", "policy", "time s", "base MB/s",
                "during MB/s", "lost s", "migration CPU", "pages", "verified");
        pw.flush();
        List<NoiseExperiment.Run> runs = NoiseExperiment.run(config, r -> {
            pw.printf(Locale.ROOT, "%5d  %-16s %9.2f %11.1f %11.1f %10.3f %11.2f s %10d %8s%n", r.round(),
                    ExperimentCommand.label(r.policy()), r.migrationSeconds(), r.loss().baselineRate() / 1e6,
                    r.loss().duringRate() / 1e6, r.loss().lostSeconds(), r.migrationCpu(), r.pagesSent(),
                    r.verified() ? "yes" : "NO");
            pw.flush();
        });
        NoiseExperiment.Summary summary = NoiseExperiment.summarize(runs);
        writeCsv(runs, out.resolve("noise.csv"));
        writeJson(config, runs, summary, out.resolve("noise.json"));
        NoisePlot.write(runs, NoiseExperiment.medianRound(runs), out.resolve("noise.png"));
        pw.printf(Locale.ROOT, "loss in seconds of the workload's baseline throughput, median [min..max] over %d rounds:%n",
                rounds);
        pw.printf(Locale.ROOT, "  pre-copy       %s in %s s of migration, which used %s CPU s%n",
                spread(summary.preCopy().lostSeconds()), spread(summary.preCopy().migrationSeconds()),
                spread(summary.preCopy().migrationCpu()));
        pw.printf(Locale.ROOT, "  SonicMigration %s in %s s of migration, which used %s CPU s%n",
                spread(summary.sonic().lostSeconds()), spread(summary.sonic().migrationSeconds()),
                spread(summary.sonic().migrationCpu()));
        pw.println(Double.isNaN(summary.lossRatio())
                ? "SonicMigration's loss against pre-copy's: undefined, pre-copy's median loss is not positive (other load"
                        + " on the host moved the throughput more than the migration did)"
                : String.format(Locale.ROOT, "SonicMigration's loss is %.1f%% of pre-copy's (round by round: %s)",
                        100 * summary.lossRatio(), spreadPercent(summary.roundRatios())));
        pw.printf(Locale.ROOT, "the migration's CPU alone, on a host whose %d cores the workload has to itself: pre-copy"
                        + " %s s lost, SonicMigration %s s lost, %.1f%% of pre-copy's%n", workers,
                spread(summary.preCopy().cpuLostSeconds()), spread(summary.sonic().cpuLostSeconds()),
                100 * summary.cpuRatio());
        pw.printf(Locale.ROOT, "the workload's bytes per CPU second changed by %s during pre-copy, %s during"
                        + " SonicMigration%n", spreadPercent(summary.preCopy().efficiencyChange()),
                spreadPercent(summary.sonic().efficiencyChange()));
        pw.println("wrote " + out.resolve("noise.csv") + ", " + out.resolve("noise.json") + ", " + out.resolve("noise.png"));
        pw.flush();
        return (runs.stream().allMatch(NoiseExperiment.Run::verified) ? ExitCode.SUCCESS : ExitCode.VERIFICATION_FAILED).code;
    }

    private void validate() {
        String bad = null;
        if (threads < 0) {
            bad = "--threads must be 0 (one per core) or more, got " + threads;
        } else if (rounds < 1) {
            bad = "--rounds must be at least 1, got " + rounds;
        } else if (cache <= 0) {
            bad = "--cache must be more than 0";
        } else if (buffer < (256 << 10) || buffer > (1L << 30)) {
            bad = "--buffer must be between 256K and 1G, got " + Sizes.format(buffer);
        } else if (sample.isZero() || before.compareTo(sample.multipliedBy(2)) < 0) {
            bad = "--before (" + before.toMillis() + " ms) must hold at least two samples of --sample ("
                    + sample.toMillis() + " ms)";
        }
        if (bad != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), bad);
        }
    }

    private static String spread(NoiseExperiment.Spread s) {
        return String.format(Locale.ROOT, "%.3f [%.3f..%.3f]", s.median(), s.min(), s.max());
    }

    private static String spreadPercent(NoiseExperiment.Spread s) {
        return String.format(Locale.ROOT, "median %.1f%%, %.1f..%.1f%%", 100 * s.median(), 100 * s.min(), 100 * s.max());
    }

    private static void writeCsv(List<NoiseExperiment.Run> runs, Path file) throws IOException {
        StringBuilder sb = new StringBuilder("round,position,policy,from_s,to_s,mb_per_s,migrating\n");
        for (var r : runs) {
            for (var s : r.samples()) {
                sb.append(String.format(Locale.ROOT, "%d,%d,%s,%.4f,%.4f,%.3f,%s%n", r.round(), r.position(), r.policy(),
                        s.from(), s.to(), s.rate() / 1e6, s.to() > 0 && s.from() < r.migrationSeconds()));
            }
        }
        Files.writeString(file, sb);
    }

    private static void writeJson(NoiseExperiment.Config config, List<NoiseExperiment.Run> runs,
                                  NoiseExperiment.Summary summary, Path file) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("experiment", "noise");
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("memoryBytes", config.memoryBytes());
        c.put("cacheBytes", config.cacheBytes());
        c.put("bandwidth", config.bandwidth());
        c.put("rounds", config.rounds());
        c.put("threads", config.threads());
        c.put("bufferBytes", config.bufferBytes());
        c.put("sampleMs", config.sample().toMillis());
        c.put("beforeMs", config.before().toMillis());
        c.put("afterMs", config.after().toMillis());
        c.put("seed", config.seed());
        c.put("loadAverageAtEnd", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        doc.put("config", c);
        doc.put("summary", summary);
        doc.put("runs", runs.stream().map(r -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("round", r.round());
            m.put("position", r.position());
            m.put("policy", r.policy());
            m.put("migrationSeconds", r.migrationSeconds());
            m.put("loss", r.loss());
            m.put("lostSeconds", r.loss().lostSeconds());
            m.put("migrationCpuSeconds", r.migrationCpu());
            m.put("workloadCpuSeconds", r.workloadCpu());
            m.put("cpuLostSeconds", r.cpuLostSeconds());
            m.put("workloadBytesPerCpuSecondBefore", r.baselineEfficiency());
            m.put("workloadBytesPerCpuSecondDuring", r.duringEfficiency());
            m.put("pagesSent", r.pagesSent());
            m.put("iterations", r.iterations());
            m.put("verified", r.verified());
            return m;
        }).toList());
        Files.writeString(file, PrettyJson.MAPPER.writeValueAsString(doc));
    }
}
