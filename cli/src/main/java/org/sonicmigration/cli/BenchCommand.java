package org.sonicmigration.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sonicmigration.engine.MigrationListener;
import org.sonicmigration.engine.MigrationOptions;
import org.sonicmigration.engine.Phase;
import org.sonicmigration.engine.SoftPolicy;
import org.sonicmigration.sim.experiment.FrameMeter;
import org.sonicmigration.sim.experiment.SimulatedMigration;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.kernel.PageStoreMode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sonic bench}: the data path measured against a yardstick in one process. Each round pushes the
 * guest's size through {@link LoopbackBaseline}, then migrates the same guests (idle, cache-filled, under
 * a writer; real and seeded bytes) with plain pre-copy and with SonicMigration, and splits each
 * migration's CPU time into the sender's, the receiver's, the simulator's on either side, the verifier's
 * and the guest's. Rounds repeat; the table gives each figure's median and its ratio to the baseline's.
 */
@Command(name = "bench", footer = {"", "Examples:", "  sonic bench --memory 512M --repeat 3",
        "  sonic bench --guests idle --content real --policies off --json", "  sonic bench scale --sizes 1G,4G,16G,64G"},
        mixinStandardHelpOptions = true, subcommands = ScaleBench.class,
        description = "Measure migrations side by side with a plain loopback copy of the same bytes.")
final class BenchCommand implements Callable<Integer> {
    @Option(names = {"-m", "--memory"}, paramLabel = "SIZE", defaultValue = "512M", converter = Sizes.class,
            description = "Guest memory (default: ${DEFAULT-VALUE}).")
    long memory;

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "3",
            description = "Rounds; figures are the medians (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--guests", split = ",", paramLabel = "KIND", defaultValue = "idle,cache,writer",
            description = "Guests: idle, cache (half its memory read into the page cache), writer (rewrites"
                    + " --writer-rate pages a second) (default: ${DEFAULT-VALUE}).")
    List<GuestKind> guests;

    @Option(names = "--content", split = ",", paramLabel = "STORE", defaultValue = "real,seeded",
            converter = ContentConverter.class,
            description = "Page content: real bytes, seeded (generated on read) (default: ${DEFAULT-VALUE}).")
    List<PageStoreMode> contents;

    @Mixin
    Policies policies = new Policies();

    /** {@code --policies}: the soft-page policies a benchmark compares. */
    static final class Policies {
        @Option(names = "--policies", split = ",", paramLabel = "POLICY", defaultValue = "off,free+cache",
                converter = EngineOptions.SoftPolicyConverter.class,
                description = "Policies to compare: off (plain pre-copy), free, free+cache (default: ${DEFAULT-VALUE}).")
        List<SoftPolicy> list;
    }

    @Option(names = "--writer-rate", paramLabel = "PAGES_PER_S", defaultValue = "20000",
            description = "Pages a second the writer guest rewrites (default: ${DEFAULT-VALUE}).")
    long writerRate;

    @Option(names = "--json", description = "Print the results as one JSON object.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The guests a round migrates. */
    enum GuestKind { idle, cache, writer }

    /**
     * One migration's figures.
     *
     * @param seconds            wall time of the migration (connect to hand-over)
     * @param gibPerSecond       stream bytes over that time
     * @param downtimeMillis     from the suspend to the hand-over
     * @param senderCpu          CPU seconds of the engine's threads, the simulated source's reads excluded
     * @param simSourceCpu       CPU seconds in the simulated source's frame reads (generating or copying pages)
     * @param receiverCpu        CPU seconds of the receiver's thread, the simulated destination's writes excluded
     * @param simTargetCpu       CPU seconds in the simulated destination's frame writes (fingerprinting)
     * @param verifyCpu          CPU seconds of the verification after the migration
     * @param guestCpu           CPU seconds of the guest's own threads (workloads, hint module)
     * @param jvmCpu             the rest of the process's CPU seconds (GC, JIT compilers, watchdogs, samplers)
     * @param engineAllocated    bytes the engine's thread allocated on the heap during the migration
     */
    record Run(String guest, String content, String policy, boolean verified, double seconds, long streamBytes,
               double gibPerSecond, long pagesSent, long pagesNoData, int iterations, double downtimeMillis,
               double senderCpu, double simSourceCpu, double receiverCpu, double simTargetCpu, double verifyCpu,
               double guestCpu, double jvmCpu, long engineAllocated) {
        String key() {
            return guest + "/" + content + "/" + policy;
        }
    }

    /** The baseline's figures: a push of the guest's size. */
    record Baseline(long bytes, double seconds, double gibPerSecond, double senderCpu, double readerCpu) {
        static Baseline of(LoopbackBaseline.Result r) {
            return new Baseline(r.bytes(), r.nanos() / 1e9, r.bytes() / GIB / (r.nanos() / 1e9),
                    r.senderCpuNanos() / 1e9, r.readerCpuNanos() / 1e9);
        }
    }

    static final double GIB = 1L << 30;

    @Override
    public Integer call() throws Exception {
        if (repeat < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--repeat must be 1 or more, got " + repeat);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String loadBefore = loadAverage();
        warmUp();
        List<Baseline> baselines = new ArrayList<>();
        List<Run> runs = new ArrayList<>();
        for (int round = 1; round <= repeat; round++) {
            baselines.add(Baseline.of(LoopbackBaseline.push(memory)));
            for (GuestKind g : guests) {
                for (PageStoreMode c : contents) {
                    for (SoftPolicy p : policies.list) {
                        Run r = migrate(g, c, p);
                        runs.add(r);
                        if (!json) {
                            err.printf(Locale.ROOT, "round %d/%d: %s %.2f s%s%n", round, repeat, r.key(), r.seconds(),
                                    r.verified() ? "" : " NOT VERIFIED");
                        }
                    }
                }
            }
        }
        Baseline base = medianBaseline(baselines);
        List<Run> medians = medians(runs);
        String loadAfter = loadAverage();
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("memoryBytes", memory);
            doc.put("repeat", repeat);
            doc.put("cores", Runtime.getRuntime().availableProcessors());
            doc.put("loadAverageBefore", loadBefore);
            doc.put("loadAverageAfter", loadAfter);
            doc.put("baseline", base);
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Run r : medians) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("median", r);
                row.put("ratios", ratios(r, base));
                rows.add(row);
            }
            doc.put("runs", rows);
            doc.put("baselineSamples", baselines);
            doc.put("samples", runs);
            out.println(PrettyJson.MAPPER.writeValueAsString(doc));
        } else {
            printTable(out, base, medians, loadBefore, loadAfter);
        }
        out.flush();
        return runs.stream().allMatch(Run::verified) ? ExitCode.SUCCESS.code : ExitCode.VERIFICATION_FAILED.code;
    }

    /** An untimed round on a small guest first, so that the first measured run is not the JIT compilers' run. */
    private void warmUp() throws Exception {
        LoopbackBaseline.push(WARM_UP_BYTES);
        for (PageStoreMode c : contents) {
            for (SoftPolicy p : policies.list) {
                var setup = new SimulatedMigration.Setup(GuestConfig.linux61("warm-up", WARM_UP_BYTES).withStoreMode(c),
                        List.of(), List.of(), MigrationOptions.defaults().withSoft(p), false);
                SimulatedMigration.run(setup, MigrationListener.NONE, new FrameMeter());
            }
        }
    }

    private static final long WARM_UP_BYTES = 64L << 20;

    private Run migrate(GuestKind kind, PageStoreMode content, SoftPolicy policy) throws Exception {
        Workloads.Plan plan = Workloads.parse(switch (kind) {
            case idle -> List.of();
            case cache -> List.of("cache:" + memory / 2 / (1 << 20));
            case writer -> List.of("writer:" + writerRate);
        }, true);
        GuestConfig guest = GuestConfig.linux61("bench-" + kind, memory).withStoreMode(content);
        MigrationOptions options = MigrationOptions.defaults().withSoft(policy);
        var setup = new SimulatedMigration.Setup(guest, plan.prepare(), plan.during(), options, false);
        return measure(setup, kind.name(), content.name().toLowerCase(Locale.ROOT), policy.toString());
    }

    /** Runs one simulated migration and splits its CPU time by who spent it. */
    static Run measure(SimulatedMigration.Setup setup, String guest, String content, String policy) throws Exception {
        FrameMeter meter = new FrameMeter();
        Window w = new Window();
        SimulatedMigration.Result result = SimulatedMigration.run(setup, w, meter);
        long end = ThreadCpu.currentThread();
        long processEnd = ThreadCpu.process();
        Map<String, Long> groups = w.threads == null ? Map.of() : w.threads.stop();
        long engineEnd = w.engineEnd < 0 ? end : w.engineEnd;
        double engine = (engineEnd - w.engineStart) / 1e9;
        double verify = (end - engineEnd) / 1e9;
        double senderThreads = groups.getOrDefault("sender", 0L) / 1e9;
        double receiver = groups.getOrDefault("receiver", 0L) / 1e9;
        double guestCpu = groups.getOrDefault("guest", 0L) / 1e9;
        double source = meter.sourceCpuNanos() / 1e9;
        double target = meter.targetCpuNanos() / 1e9;
        double process = (processEnd - w.processStart) / 1e9;
        var report = result.report();
        double seconds = report.totalNanos() / 1e9;
        return new Run(guest, content, policy, result.passed(), seconds, report.bytes(),
                report.bytes() / GIB / seconds, report.pagesSent(), report.pagesNoData(), report.iterations().size(),
                report.downtimeNanos() / 1e6, engine + senderThreads - source, source, receiver - target, target,
                verify, guestCpu, Math.max(0, process - engine - verify - senderThreads - receiver - guestCpu),
                w.allocatedEnd - w.allocatedStart);
    }

    /** Marks the migration's window on the engine's thread: from the connection to the hand-over. */
    private static final class Window implements MigrationListener {
        long engineStart;
        long engineEnd = -1;
        long processStart;
        long allocatedStart;
        long allocatedEnd;
        ThreadCpu threads;

        @Override
        public void phase(Phase phase) {
            if (phase == Phase.CONNECT) {
                processStart = ThreadCpu.process();
                threads = new ThreadCpu(Thread.currentThread(), BenchCommand::group);
                allocatedStart = ThreadCpu.currentThreadAllocated();
                engineStart = ThreadCpu.currentThread();
            } else if (phase == Phase.DONE || phase == Phase.ROLLBACK) {
                engineEnd = ThreadCpu.currentThread();
                allocatedEnd = ThreadCpu.currentThreadAllocated();
                threads.sample(false);
            }
        }
    }

    /** Which side a thread works for, by the names the engine, the receiver and the simulator give them. */
    static String group(String threadName) {
        if (threadName.startsWith("sonic-pages")) {
            return "sender";
        }
        if (threadName.equals("sim-receiver")) {
            return "receiver";
        }
        if (threadName.startsWith("sim-guest")) {
            return "guest";
        }
        return "other";
    }

    /** Each figure's ratio to the baseline's: throughput, and CPU per GiB moved on either side. */
    static Map<String, Double> ratios(Run r, Baseline b) {
        double gib = r.streamBytes() / GIB;
        double baseGib = b.bytes() / GIB;
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("throughput", r.gibPerSecond() / b.gibPerSecond());
        m.put("senderCpuPerGib", (r.senderCpu() / gib) / (b.senderCpu() / baseGib));
        m.put("receiverCpuPerGib", (r.receiverCpu() / gib) / (b.readerCpu() / baseGib));
        m.put("time", r.seconds() / b.seconds());
        return m;
    }

    private void printTable(PrintWriter out, Baseline b, List<Run> runs, String loadBefore, String loadAfter) {
        out.printf(Locale.ROOT, "sonic bench: %s guests, median of %d rounds, %d cores, load average %s before, %s after%n",
                Sizes.format(memory), repeat, Runtime.getRuntime().availableProcessors(), loadBefore, loadAfter);
        out.printf(Locale.ROOT, "baseline (direct buffer -> SocketChannel -> reader thread): %s in %.2f s, %.2f GiB/s,"
                + " CPU sender %.2f s, reader %.2f s%n", Sizes.format(b.bytes()), b.seconds(), b.gibPerSecond(),
                b.senderCpu(), b.readerCpu());
        out.printf(Locale.ROOT, "%-26s %7s %6s %6s %9s %5s %8s | %6s %5s %6s %5s | %6s %6s %6s %6s %6s %s%n",
                "guest/content/policy", "time s", "GiB/s", "xbase", "pages", "iters", "down ms", "send s", "xGiB",
                "recv s", "xGiB", "simsrc", "simdst", "verify", "guest", "jvm", "verified");
        for (Run r : runs) {
            Map<String, Double> x = ratios(r, b);
            out.printf(Locale.ROOT, "%-26s %7.2f %6.2f %6.2f %9d %5d %8.1f | %6.2f %5.2f %6.2f %5.2f | %6.2f %6.2f %6.2f %6.2f %6.2f %s%n",
                    r.key(), r.seconds(), r.gibPerSecond(), x.get("throughput"), r.pagesSent(), r.iterations(),
                    r.downtimeMillis(), r.senderCpu(), x.get("senderCpuPerGib"), r.receiverCpu(),
                    x.get("receiverCpuPerGib"), r.simSourceCpu(), r.simTargetCpu(), r.verifyCpu(), r.guestCpu(),
                    r.jvmCpu(), r.verified() ? "yes" : "NO");
        }
        out.println("CPU columns are seconds; xbase is GiB/s against the baseline's, xGiB CPU per GiB moved against the"
                + " baseline's sender (send) and reader (recv).");
    }

    static Baseline medianBaseline(List<Baseline> all) {
        return new Baseline(all.get(0).bytes(), median(all, Baseline::seconds), median(all, Baseline::gibPerSecond),
                median(all, Baseline::senderCpu), median(all, Baseline::readerCpu));
    }

    /** Per guest/content/policy, in first-seen order: the median of each figure on its own. */
    static List<Run> medians(List<Run> runs) {
        Map<String, List<Run>> byKey = new LinkedHashMap<>();
        for (Run r : runs) {
            byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r);
        }
        List<Run> out = new ArrayList<>();
        for (List<Run> rs : byKey.values()) {
            Run f = rs.get(0);
            out.add(new Run(f.guest(), f.content(), f.policy(), rs.stream().allMatch(Run::verified),
                    median(rs, Run::seconds), (long) median(rs, r -> (double) r.streamBytes()),
                    median(rs, Run::gibPerSecond), (long) median(rs, r -> (double) r.pagesSent()),
                    (long) median(rs, r -> (double) r.pagesNoData()), (int) median(rs, r -> (double) r.iterations()),
                    median(rs, Run::downtimeMillis), median(rs, Run::senderCpu), median(rs, Run::simSourceCpu),
                    median(rs, Run::receiverCpu), median(rs, Run::simTargetCpu), median(rs, Run::verifyCpu),
                    median(rs, Run::guestCpu), median(rs, Run::jvmCpu),
                    (long) median(rs, r -> (double) r.engineAllocated())));
        }
        return out;
    }

    /** The median (the mean of the middle two for an even count). */
    static <T> double median(List<T> items, java.util.function.ToDoubleFunction<T> f) {
        double[] v = items.stream().mapToDouble(f).sorted().toArray();
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** {@code real} or {@code seeded}. */
    static final class ContentConverter implements CommandLine.ITypeConverter<PageStoreMode> {
        @Override
        public PageStoreMode convert(String value) {
            return switch (value) {
                case "real" -> PageStoreMode.REAL;
                case "seeded" -> PageStoreMode.SEEDED;
                default -> throw new CommandLine.TypeConversionException("unknown content '" + value
                        + "' (use real or seeded)");
            };
        }
    }
}
