package org.sonicmigration.cli;

import org.sonicmigration.transport.Bandwidth;
import picocli.CommandLine.Option;

/** The options every {@code sonic experiment} shares: the link cap its migrations run over and the guests' seed. */
final class ExperimentSetup {
    @Option(names = "--bandwidth", paramLabel = "RATE", defaultValue = "1Gbit", converter = BandwidthConverter.class,
            description = "Link cap, e.g. 1Gbit, 100Mbit (default: ${DEFAULT-VALUE}).")
    Bandwidth bandwidth;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of all guest randomness (default: ${DEFAULT-VALUE}).")
    long seed;
}
