package org.sonicmigration.cli;

import picocli.CommandLine.Option;

/**
 * What a command prints, the same on every command: text by default, JSON for scripts with
 * {@code --json}, nothing but errors with {@code --quiet}, and a progress display on a terminal unless
 * {@code --no-progress}.
 */
final class OutputOptions {
    @Option(names = "--json", description = "Print JSON for scripts (migrations: one JSON object per event, a line"
            + " each, the report last; see README 'Events').")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing but errors (with --json: only the final report).")
    boolean quiet;

    @Option(names = "--progress", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Show progress on a terminal (default: ${DEFAULT-VALUE}; --no-progress hides it).")
    boolean progress;

    /** Whether a live progress display may be drawn on stderr. */
    boolean showProgress() {
        return progress && !quiet && !json && ProgressDisplay.isTerminal();
    }
}
