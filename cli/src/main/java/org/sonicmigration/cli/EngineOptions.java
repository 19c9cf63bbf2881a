package org.sonicmigration.cli;

import java.time.Duration;
import java.util.Optional;
import org.sonicmigration.migrate.Bandwidth;
import org.sonicmigration.migrate.MigrationOptions;
import picocli.CommandLine.Option;

/** The migration-engine options shared by every command that sends a guest. */
final class EngineOptions {
    @Option(names = "--max-iterations", paramLabel = "N", defaultValue = "5",
            description = "Live iterations after the first full pass (default: ${DEFAULT-VALUE}, as Xen).")
    int maxIterations;

    @Option(names = "--dirty-threshold", paramLabel = "PAGES", defaultValue = "50",
            description = "Stop iterating when fewer pages are dirty (default: ${DEFAULT-VALUE}, as Xen).")
    long dirtyThreshold;

    @Option(names = "--bandwidth", paramLabel = "RATE", converter = BandwidthConverter.class,
            description = "Cap the stream's rate, e.g. 1Gbit, 500Mbit, 100MB (bytes/s). Default: no cap.")
    Bandwidth bandwidth;

    @Option(names = "--suspend-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long the guest may take to suspend (default: ${DEFAULT-VALUE}).")
    int suspendTimeoutSeconds;

    MigrationOptions toOptions() {
        if (maxIterations < 0) {
            throw new picocli.CommandLine.TypeConversionException("--max-iterations must be 0 or more, got " + maxIterations);
        }
        if (dirtyThreshold < 0) {
            throw new picocli.CommandLine.TypeConversionException("--dirty-threshold must be 0 or more, got " + dirtyThreshold);
        }
        if (suspendTimeoutSeconds <= 0) {
            throw new picocli.CommandLine.TypeConversionException("--suspend-timeout must be positive, got " + suspendTimeoutSeconds);
        }
        return MigrationOptions.defaults().withMaxIterations(maxIterations).withDirtyThreshold(dirtyThreshold)
                .withBandwidth(Optional.ofNullable(bandwidth))
                .withSuspendTimeout(Duration.ofSeconds(suspendTimeoutSeconds));
    }
}
