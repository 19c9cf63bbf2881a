package org.sonicmigration.cli;

import java.io.PrintWriter;
import java.util.Locale;
import org.sonicmigration.engine.IterationStats;
import org.sonicmigration.engine.MigrationReport;
import picocli.CommandLine.Mixin;

/**
 * How a migration command reports: a readable table by default; with {@code --json} its events as JSON
 * lines and the report as the last line; with {@code --quiet} nothing but errors; a progress display
 * on a terminal.
 */
final class ReportOptions {
    @Mixin
    OutputOptions output = new OutputOptions();

    private JsonEvents json;

    /** Where this command's migration events go; close it when the migration ends. */
    EventSink events(PrintWriter out) {
        if (output.json) {
            json = new JsonEvents(out, output.quiet);
            return json;
        }
        return output.showProgress() ? new ProgressDisplay(System.err) : EventSink.SILENT;
    }

    void print(PrintWriter out, MigrationReport report, Verification verification) {
        print(out, new RunReport(null, null, report, verification));
    }

    void print(PrintWriter out, RunReport run) {
        if (output.json) {
            (json == null ? new JsonEvents(out, output.quiet) : json).report(run);
        } else if (!output.quiet) {
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
            out.printf(Locale.ROOT, "  live hint: %s%n", soft.livePublication());
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
