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
import org.sonicmigration.sim.experiment.RetainHotExperiment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sonic experiment retain-hot}: hot-page retention against plain SonicMigration on a guest that keeps
 * re-reading a hot set of files: pages sent, migration time, and the re-read I/O and time to warm after it.
 */
@Command(name = "retain-hot", footer = {"", "Examples:", "  sonic experiment retain-hot",
        "  sonic experiment retain-hot --memory 1G --cold 512M --hot 128M -o retain-hot-out"},
        mixinStandardHelpOptions = true,
        description = "Hot-page retention (--retain-hot) vs plain SonicMigration: re-read I/O and time to warm after the migration (virtual time).")
final class RetainHotCommand implements Callable<Integer> {
    @Option(names = {"-m", "--memory"}, defaultValue = "2G", converter = Sizes.class,
            description = "Guest memory (default: ${DEFAULT-VALUE}).")
    long memory;

    @Option(names = "--cold", defaultValue = "1536M", converter = Sizes.class,
            description = "Files read into the page cache once and not again (default: ${DEFAULT-VALUE}).")
    long cold;

    @Option(names = "--hot", defaultValue = "256M", converter = Sizes.class,
            description = "The hot set: files read after the cold ones and re-read in a loop (default: ${DEFAULT-VALUE}).")
    long hot;

    @CommandLine.Mixin
    ExperimentSetup setup;

    @Option(names = "--warm-limit", defaultValue = "60s", converter = Durations.class,
            description = "Guest time after the migration to wait for the hot set to be cached again (default: ${DEFAULT-VALUE}).")
    Duration warmLimit;

    @Option(names = {"-o", "--out"}, defaultValue = "retain-hot-out", paramLabel = "DIR",
            description = "Where to write retain-hot.csv and retain-hot.json (default: ${DEFAULT-VALUE}).")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (hot <= 0 || cold < 0 || cold + hot >= memory) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--cold " + Sizes.format(cold) + " and --hot "
                    + Sizes.format(hot) + " must fit together in a guest of " + Sizes.format(memory));
        }
        PrintWriter pw = spec.commandLine().getOut();
        Files.createDirectories(out);
        var config = new RetainHotExperiment.Config(memory, cold, hot, setup.bandwidth, warmLimit, setup.seed);
        pw.printf(Locale.ROOT, "%-40s %8s %10s %9s %10s %11s %12s %9s %8s%n", "variant", "time s", "pages sent",
                "downtime", "re-read live", "cold at resume", "re-read after", "warm s", "verified");
        pw.flush();
        List<RetainHotExperiment.Row> rows = RetainHotExperiment.run(config, r -> {
            pw.printf(Locale.ROOT, "%-40s %8.2f %10d %7.1fms %12d %14d %13d %9s %8s%n", r.variant().label(), r.seconds(),
                    r.pagesSent(), r.downtimeMs(), r.rereadLive(), r.coldAtResume(), r.rereadAfter(),
                    r.warmed() ? String.format(Locale.ROOT, "%.3f", r.warmSeconds()) : "> limit", r.verified() ? "yes" : "NO");
            pw.flush();
        });
        writeCsv(rows, out.resolve("retain-hot.csv"));
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("experiment", "retain-hot");
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("memoryBytes", memory);
        c.put("coldBytes", cold);
        c.put("hotBytes", hot);
        c.put("bandwidth", setup.bandwidth);
        c.put("warmLimitMs", warmLimit.toMillis());
        c.put("seed", setup.seed);
        doc.put("config", c);
        doc.put("rows", rows);
        Files.writeString(out.resolve("retain-hot.json"), PrettyJson.MAPPER.writeValueAsString(doc));
        pw.println("wrote " + out.resolve("retain-hot.csv") + ", " + out.resolve("retain-hot.json"));
        pw.flush();
        return (rows.stream().allMatch(RetainHotExperiment.Row::verified) ? ExitCode.SUCCESS
                : ExitCode.VERIFICATION_FAILED).code;
    }

    private static void writeCsv(List<RetainHotExperiment.Row> rows, Path file) throws IOException {
        StringBuilder sb = new StringBuilder("variant,seconds,pages_sent,downtime_ms,hot_pages,reread_live,"
                + "cold_at_resume,reread_after,warm_seconds,warmed,verified\n");
        for (var r : rows) {
            sb.append(String.format(Locale.ROOT, "%s,%.4f,%d,%.3f,%d,%d,%d,%d,%.4f,%s,%s%n", r.variant(), r.seconds(),
                    r.pagesSent(), r.downtimeMs(), r.hotPages(), r.rereadLive(), r.coldAtResume(), r.rereadAfter(),
                    r.warmSeconds(), r.warmed(), r.verified()));
        }
        Files.writeString(file, sb);
    }
}
