package org.sonicmigration.cli;

import java.io.PrintStream;
import java.time.Duration;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.sonicmigration.engine.IterationStats;
import org.sonicmigration.engine.MigrationListener;
import org.sonicmigration.engine.PassKind;
import org.sonicmigration.engine.Phase;

/**
 * A terminal progress bar per pass: iteration, pages, MB/s and ETA. Shown only on a terminal (or when
 * forced), because bars in a log file are noise.
 */
final class ProgressDisplay implements MigrationListener, AutoCloseable {
    private final PrintStream stream;
    private ProgressBar bar;
    private long passBytesStart;
    private long lastBytes;

    /** @param stream where to draw, or null for a display that shows nothing */
    ProgressDisplay(PrintStream stream) {
        this.stream = stream;
    }

    static boolean isTerminal() {
        return System.console() != null && System.console().isTerminal();
    }

    @Override
    public void phase(Phase phase) {
        if (stream == null) {
            return;
        }
        if (phase == Phase.SUSPEND) {
            closeBar();
            stream.println("suspending the guest…");
        }
    }

    @Override
    public void iterationStarted(int index, PassKind kind, long candidates) {
        closeBar();
        if (stream == null) {
            return;
        }
        passBytesStart = lastBytes;
        bar = new ProgressBarBuilder()
                .setTaskName(switch (kind) {
                    case LIVE -> "iter " + index;
                    case CATCH_UP -> "catch-up";
                    case FINAL -> "final";
                })
                .setInitialMax(Math.max(1, candidates))
                .setUnit(" pages", 1)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(200)
                .showSpeed()
                .setConsumer(new ConsoleProgressBarConsumer(stream))
                .hideEta()
                .build();
    }

    @Override
    public void progress(int index, long done, long candidates, long bytesTotal) {
        lastBytes = bytesTotal;
        if (bar != null) {
            bar.stepTo(done);
            long elapsedMs = Math.max(1, Duration.between(bar.getStartInstant(), java.time.Instant.now()).toMillis());
            double mbps = (bytesTotal - passBytesStart) / 1e3 / elapsedMs;
            long eta = done == 0 ? 0 : (candidates - done) * elapsedMs / done / 1000;
            bar.setExtraMessage(String.format(java.util.Locale.ROOT, " %.0f MB/s ETA %ds", mbps, eta));
        }
    }

    @Override
    public void iterationFinished(IterationStats stats) {
        closeBar();
    }

    @Override
    public void notice(String message) {
        closeBar();
        if (stream != null) {
            stream.println("note: " + message);
        }
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
