package org.sonicmigration.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.sonicmigration.engine.HandshakeOutcome;
import org.sonicmigration.engine.IterationStats;
import org.sonicmigration.engine.PassKind;
import org.sonicmigration.engine.Phase;

/**
 * The terminal progress display of a migration: one bar per pass, named by phase and pass, with
 * pages sent, pages skipped as soft so far, MB/s, the dirty rate the last live pass measured and the
 * pass's ETA; phase changes, the handshake and fallbacks as lines between bars. Shown only on a
 * terminal, because bars in a log file are noise.
 */
final class ProgressDisplay implements EventSink {
    private final PrintStream stream;
    private ProgressBar bar;
    private long passBytesStart;
    private long lastBytes;
    private long skippedSoFar;
    private double dirtyRate = Double.NaN;

    private final int width;

    /** A display on a terminal, as wide as the terminal. */
    ProgressDisplay(PrintStream stream) {
        this(stream, 0);
    }

    /** @param width characters per line, or 0 for the terminal's width */
    ProgressDisplay(PrintStream stream, int width) {
        this.stream = stream;
        this.width = width;
    }

    static boolean isTerminal() {
        return System.console() != null && System.console().isTerminal();
    }

    @Override
    public void phase(Phase phase) {
        if (phase == Phase.SUSPEND || phase == Phase.HANDOVER || phase == Phase.ROLLBACK) {
            closeBar();
            stream.println(switch (phase) {
                case SUSPEND -> "suspending the guest…";
                case HANDOVER -> "handing over to the destination…";
                default -> "rolling back: the source guest resumes…";
            });
        }
    }

    @Override
    public void iterationStarted(int index, PassKind kind, long candidates) {
        closeBar();
        passBytesStart = lastBytes;
        bar = new ProgressBarBuilder()
                .setTaskName(taskName(index, kind))
                .setInitialMax(Math.max(1, candidates))
                .setUnit(" pages", 1)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(200)
                .setConsumer(width > 0 ? new ConsoleProgressBarConsumer(stream, width) : new ConsoleProgressBarConsumer(stream))
                .hideEta()
                .build();
    }

    static String taskName(int index, PassKind kind) {
        return switch (kind) {
            case LIVE -> "live pass " + index;
            case CATCH_UP -> "catch-up (live)";
            case FINAL -> "final (paused)";
        };
    }

    @Override
    public void progress(int index, long done, long candidates, long bytesTotal) {
        lastBytes = bytesTotal;
        if (bar != null) {
            bar.stepTo(done);
            long elapsedMs = Math.max(1, Duration.between(bar.getStartInstant(), Instant.now()).toMillis());
            bar.setExtraMessage(status(bytesTotal - passBytesStart, elapsedMs, done, candidates, skippedSoFar,
                    dirtyRate));
        }
    }

    /** The text after the bar: rate, pages skipped so far, dirty rate of the last live pass, ETA. */
    static String status(long passBytes, long elapsedMs, long done, long candidates, long skipped, double dirtyRate) {
        double mbps = passBytes / 1e3 / Math.max(1, elapsedMs);
        long eta = done == 0 ? 0 : (candidates - done) * elapsedMs / done / 1000;
        String dirty = Double.isNaN(dirtyRate) ? "-" : String.format(Locale.ROOT, "%.0f", dirtyRate);
        return String.format(Locale.ROOT, " %.1f MB/s, %d skipped, dirty %s pages/s, ETA %ds", mbps, skipped,
                dirty, eta);
    }

    @Override
    public void iterationFinished(IterationStats stats) {
        skippedSoFar += stats.skipped();
        if (stats.kind() == PassKind.LIVE && stats.nanos() > 0) {
            dirtyRate = stats.dirtyAfter() / (stats.nanos() / 1e9);
        }
        closeBar();
    }

    @Override
    public void handshake(HandshakeOutcome outcome) {
        closeBar();
        stream.println("handshake: " + outcome.summary());
    }

    @Override
    public void fallback(String reason) {
        closeBar();
        stream.println("fallback: " + reason);
    }

    @Override
    public void notice(String message) {
        closeBar();
        stream.println("note: " + message);
    }

    private void closeBar() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }

    @Override
    public void close() {
        closeBar();
    }
}
