package org.sonicmigration.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.Locale;
import org.sonicmigration.engine.IterationStats;
import org.sonicmigration.engine.MigrationReport;
import picocli.CommandLine.Option;

/**
 * How a command reports: a readable table by default, one JSON document with {@code --json}, and a
 * progress bar on a terminal unless {@code --no-progress}.
 */
final class ReportOptions {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Option(names = "--json", description = "Print the report as JSON (for scripts).")
    boolean json;

    @Option(names = "--progress", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Show a progress bar on a terminal (default: on; --no-progress to hide).")
    boolean progress;

    /** A progress display: a bar on a terminal when wanted, silent otherwise. Close it when done. */
    ProgressDisplay progress() {
        boolean show = progress && !json && ProgressDisplay.isTerminal();
        return new ProgressDisplay(show ? System.err : null);
    }

    void print(PrintWriter out, MigrationReport report, Verification verification) {
        print(out, new RunReport(null, null, report, verification));
    }

    void print(PrintWriter out, RunReport run) {
        if (json) {
            try {
                out.println(JSON.writeValueAsString(run));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("cannot write the JSON report", e);
            }
        } else {
            printText(out, run.migration(), run.verification());
        }
        out.flush();
    }

    static void printText(PrintWriter out, MigrationReport r, Verification v) {
        out.printf(Locale.ROOT, "migration of %s (backend %s): %s%n", r.domain(), r.backend(),
                switch (r.outcome()) {
                    case COMPLETED -> "completed";
                    case FAILED_SOURCE_RESUMED -> "FAILED, source guest restored";
                    case DESTINATION_FAILED -> "FAILED at the destination, source guest restored";
                    case ABORTED -> "STOPPED on request, source guest restored";
                    case UNCERTAIN_SOURCE_PAUSED -> "UNCERTAIN, source guest kept paused";
                });
        if (!r.error().isEmpty()) {
            out.println("  error: " + r.error());
        }
        out.printf(Locale.ROOT, "  guest memory  %s (%d pages)%n", Sizes.format(r.guestPages() * 4096), r.guestPages());
        out.printf(Locale.ROOT, "  %-6s %12s %10s %10s %10s %10s %12s%n", "pass", "pages sent", "no data",
                "soft skip", "MiB", "time", "dirty after");
        for (IterationStats s : r.iterations()) {
            out.printf(Locale.ROOT, "  %-6s %12d %10d %10d %10.1f %10s %12s%n",
                    switch (s.kind()) {
                        case LIVE -> Integer.toString(s.index());
                        case CATCH_UP -> "catch";
                        case FINAL -> "final";
                    }, s.pagesSent(), s.pagesNoData(), s.skipped(),
                    s.bytes() / 1048576.0, seconds(s.nanos()),
                    s.kind() == org.sonicmigration.engine.PassKind.LIVE ? Long.toString(s.dirtyAfter()) : "-");
        }
        long live = r.iterations().stream().filter(s -> s.kind() == org.sonicmigration.engine.PassKind.LIVE).count();
        out.printf(Locale.ROOT, "  total: %d pages with data, %.1f MiB in %s; downtime %s; %d live iteration%s%n",
                r.pagesSent(), r.bytes() / 1048576.0, seconds(r.totalNanos()), millis(r.downtimeNanos()), live,
                live == 1 ? "" : "s");
        var soft = r.soft();
        if (soft != null && soft.hintArea()) {
            out.printf(Locale.ROOT, "  soft pages (%s): %d skips in live passes (%d of %d hint reads usable); handshake: %s;"
                            + " %d caught up live; %d pages never sent (%.1f%% of guest memory);"
                            + " %d final-soft pages written before the pause, sent with data%n",
                    soft.policy(), soft.skippedLive(), soft.usableHints(), soft.hintReads(), soft.handshake(),
                    soft.catchUpPages(), soft.unsentPages(), 100.0 * soft.unsentPages() / Math.max(1, r.guestPages()),
                    soft.finalSoftDirtied());
        } else if (soft != null) {
            out.printf(Locale.ROOT, "  soft pages (%s): not used%n", soft.policy());
        }
        for (String n : r.notices()) {
            out.println("  note: " + n);
        }
        if (v != null) {
            out.printf(Locale.ROOT, "  verification (%s): %s (%d pages compared, %d mismatches, state %s)%n",
                    v.mode(), v.passed() ? "PASSED" : "FAILED", v.pagesCompared(), v.mismatches(),
                    v.stateEqual() ? "equal" : "DIFFERENT");
            if (v.categories() != null) {
                var c = v.categories();
                boolean softMode = v.mode().equals("soft");
                out.printf(Locale.ROOT, "    checked: %,d hard pages identical (%,d failed), %,d clean-cache pages %s"
                                + " (%,d failed), %,d free/held pages %s (%,d failed); %,d pages without data, %,d of"
                                + " them outside the final soft set; %,d holes, %,d populated%n",
                        c.hard().checked(), c.hard().mismatches(), c.cleanCache().checked(),
                        softMode ? "equal to their file" : "identical", c.cleanCache().mismatches(), c.free().checked(),
                        softMode ? "present" : "identical", c.free().mismatches(), c.withoutData().checked(),
                        c.withoutData().mismatches(), c.holes().checked(), c.holes().mismatches());
            }
            for (String m : v.firstMismatches()) {
                out.println("    " + m);
            }
        }
    }

    static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }

    static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }
}
