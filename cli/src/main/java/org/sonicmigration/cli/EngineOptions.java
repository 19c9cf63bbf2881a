package org.sonicmigration.cli;

import java.time.Duration;
import java.util.Optional;
import org.sonicmigration.transport.Bandwidth;
import org.sonicmigration.engine.MigrationOptions;
import org.sonicmigration.engine.SoftPolicy;
import picocli.CommandLine.Option;

/** The migration-engine options shared by every command that sends a guest. */
final class EngineOptions {
    @Option(names = "--max-iterations", paramLabel = "N", defaultValue = "5",
            description = "Xen's rule: live passes in all, the first full pass included (default:"
                    + " ${DEFAULT-VALUE}, Xen's number).")
    int maxIterations;

    @Option(names = "--dirty-threshold", paramLabel = "PAGES", defaultValue = "50",
            description = "Xen's rule: stop iterating when fewer pages are dirty (default: ${DEFAULT-VALUE}, Xen's"
                    + " number).")
    long dirtyThreshold;

    @Option(names = "--stop-when-not-shrinking", description = "SonicMigration's own rule, off by default: also stop"
            + " iterating when a pass leaves at least as many dirty pages as the one before.")
    boolean stopWhenNotShrinking;

    @Option(names = "--bandwidth", paramLabel = "RATE", converter = BandwidthConverter.class,
            description = "Cap the stream's rate, e.g. 1Gbit, 100Mbit, 100MB (bytes/s). Default: no cap.")
    Bandwidth bandwidth;

    @Option(names = "--suspend-timeout", paramLabel = "DURATION", defaultValue = "30s", converter = Durations.class,
            description = "How long the guest may take to suspend, e.g. 30s, 2m (default: ${DEFAULT-VALUE}).")
    Duration suspendTimeout;

    @Option(names = "--soft", paramLabel = "POLICY", defaultValue = "free+cache", converter = SoftPolicyConverter.class,
            description = "Soft pages to leave unsent: off (plain pre-copy), free, or free+cache"
                    + " (default: ${DEFAULT-VALUE}).")
    SoftPolicy soft;

    @Option(names = "--retain-hot", description = "Send the pages the guest marks recently referenced early, so its"
            + " hottest page cache arrives warm instead of being dropped.")
    boolean retainHot;

    @Option(names = "--verify-hints", description = "Check the pages the guest calls soft against what dom0 sees"
            + " (pages the dirty log shows written in each of the last two rounds); a guest caught lying gets plain"
            + " pre-copy, and the report says why.")
    boolean verifyHints;

    @Option(names = "--handshake-timeout", paramLabel = "DURATION", defaultValue = "2s", converter = Durations.class,
            description = "How long the guest may take to give its final soft set, e.g. 500ms, 2s"
                    + " (default: ${DEFAULT-VALUE}).")
    Duration handshakeTimeout;

    /** Parses {@code --soft}. */
    static final class SoftPolicyConverter implements picocli.CommandLine.ITypeConverter<SoftPolicy> {
        @Override
        public SoftPolicy convert(String value) {
            try {
                return SoftPolicy.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    MigrationOptions toOptions() {
        Durations.positive(handshakeTimeout, "--handshake-timeout");
        if (maxIterations < 1) {
            throw new picocli.CommandLine.TypeConversionException("--max-iterations must be 1 or more, got " + maxIterations);
        }
        if (dirtyThreshold < 0) {
            throw new picocli.CommandLine.TypeConversionException("--dirty-threshold must be 0 or more, got " + dirtyThreshold);
        }
        Durations.positive(suspendTimeout, "--suspend-timeout");
        return MigrationOptions.defaults().withMaxIterations(maxIterations).withDirtyThreshold(dirtyThreshold)
                .withBandwidth(Optional.ofNullable(bandwidth))
                .withSuspendTimeout(suspendTimeout)
                .withSoft(soft).withRetainHot(retainHot).withHandshakeTimeout(handshakeTimeout)
                .withStopWhenNotShrinking(stopWhenNotShrinking).withVerifyHints(verifyHints);
    }
}
