package org.sonicmigration.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sonicmigration.transport.Bandwidth;
import org.sonicmigration.engine.SoftPolicy;
import org.sonicmigration.sim.experiment.Fig3Experiment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sonic experiment}: reproductions of the SonicMigration paper's measurements on the simulator. */
@Command(name = "experiment", footer = {"", "Example:", "  sonic experiment fig3 --virtual-time"},
        mixinStandardHelpOptions = true, description = "Reproduce the SonicMigration paper's experiments on the simulator.",
        subcommands = ExperimentCommand.Fig3.class)
final class ExperimentCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name an experiment (fig3)");
    }

    /**
     * Figure 3: a guest with a full page cache and growing user memory, migrated with plain pre-copy and
     * with SonicMigration over a capped link; migration time and pages sent for each point.
     */
    @Command(name = "fig3", footer = {"", "Examples:", "  sonic experiment fig3 --virtual-time", "  sonic experiment fig3 --virtual-time --user 0,1G --bandwidth 100Mbit -o fig3-out"},
        mixinStandardHelpOptions = true, description = "Figure 3: migration time and pages sent vs user memory, default vs SonicMigration.")
    static final class Fig3 implements Callable<Integer> {
        @Option(names = {"-m", "--memory"}, defaultValue = "2G", converter = Sizes.class,
                description = "Guest memory (default: ${DEFAULT-VALUE}, as in the paper).")
        long memory;

        @Option(names = "--cache", defaultValue = "2G", converter = Sizes.class,
                description = "File data read into the page cache first (default: ${DEFAULT-VALUE}).")
        long cache;

        @Option(names = "--user", split = ",", paramLabel = "SIZE", defaultValue = "0,256M,512M,1G,1536M,2000M",
                converter = Sizes.class,
                description = "User memory sizes, e.g. 0,512M,1G; plain numbers are MiB (default: ${DEFAULT-VALUE}).")
        List<Long> userBytes;

        @Option(names = "--bandwidth", paramLabel = "RATE", defaultValue = "1Gbit", converter = BandwidthConverter.class,
                description = "Link cap, e.g. 1Gbit, 100Mbit (default: ${DEFAULT-VALUE}).")
        Bandwidth bandwidth;

        @Option(names = "--virtual-time", description = "Model time instead of spending it (seconds instead of minutes).")
        boolean virtualTime;

        @Option(names = "--seed", defaultValue = "1", description = "Seed of all guest randomness (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = {"-o", "--out"}, defaultValue = "fig3-out", paramLabel = "DIR",
                description = "Where to write fig3.csv, fig3.json and fig3.png (default: ${DEFAULT-VALUE}).")
        Path out;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            List<Long> user = new ArrayList<>();
            for (long u : userBytes) {
                if (u >= memory || u % (1 << 20) != 0) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            "--user " + Sizes.format(u) + (u >= memory ? " does not fit a guest of " + Sizes.format(memory)
                                    : " is not a whole number of MiB"));
                }
                user.add(u >> 20);
            }
            PrintWriter pw = spec.commandLine().getOut();
            Files.createDirectories(out);
            var config = new Fig3Experiment.Config(memory, cache, user, bandwidth, virtualTime, seed);
            pw.printf(Locale.ROOT, "%8s  %-10s %9s %10s %12s %9s %8s%n", "user MiB", "policy", "time s", "pages sent",
                    "never sent", "downtime", "verified");
            pw.flush();
            List<Fig3Experiment.Point> points = Fig3Experiment.run(config, p -> {
                pw.printf(Locale.ROOT, "%8d  %-10s %9.2f %10d %12d %7.1fms %8s%n", p.userMib(), p.policy(), p.seconds(),
                        p.pagesSent(), p.unsentPages(), p.downtimeMs(), p.verified() ? "yes" : "NO");
                pw.flush();
            });
            writeCsv(points, out.resolve("fig3.csv"));
            writeJson(config, points, out.resolve("fig3.json"));
            Fig3Plot.write(points, out.resolve("fig3.png"));
            List<String> summary = summary(points);
            summary.forEach(pw::println);
            pw.println("wrote " + out.resolve("fig3.csv") + ", " + out.resolve("fig3.json") + ", " + out.resolve("fig3.png"));
            pw.flush();
            return (points.stream().allMatch(Fig3Experiment.Point::verified) ? ExitCode.SUCCESS
                    : ExitCode.VERIFICATION_FAILED).code;
        }

        static List<String> summary(List<Fig3Experiment.Point> points) {
            List<String> lines = new ArrayList<>();
            for (int i = 0; i + 1 < points.size(); i += 2) {
                Fig3Experiment.Point base = points.get(i);
                Fig3Experiment.Point sonic = points.get(i + 1);
                lines.add(String.format(Locale.ROOT, "user %4d MiB: SonicMigration %+.1f%% time, %+.1f%% pages",
                        base.userMib(), 100 * (sonic.seconds() / base.seconds() - 1),
                        100 * ((double) sonic.pagesSent() / base.pagesSent() - 1)));
            }
            return lines;
        }

        private static void writeCsv(List<Fig3Experiment.Point> points, Path file) throws IOException {
            StringBuilder sb = new StringBuilder(
                    "user_mib,anon_mib,policy,seconds,pages_sent,bytes,downtime_ms,never_sent,iterations,verified\n");
            for (var p : points) {
                sb.append(String.format(Locale.ROOT, "%d,%.1f,%s,%.4f,%d,%d,%.3f,%d,%d,%s%n", p.userMib(), p.anonMib(),
                        p.policy(), p.seconds(), p.pagesSent(), p.bytes(), p.downtimeMs(), p.unsentPages(),
                        p.iterations(), p.verified()));
            }
            Files.writeString(file, sb);
        }

        private static void writeJson(Fig3Experiment.Config config, List<Fig3Experiment.Point> points, Path file)
                throws IOException {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("experiment", "fig3");
            doc.put("config", config);
            doc.put("points", points);
            Files.writeString(file, PrettyJson.MAPPER.writeValueAsString(doc));
        }
    }

    /** Which series a point belongs to, as the plot labels it. */
    static String label(SoftPolicy p) {
        return p == SoftPolicy.OFF ? "default pre-copy" : "SonicMigration";
    }
}
