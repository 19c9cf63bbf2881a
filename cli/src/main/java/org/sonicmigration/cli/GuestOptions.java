package org.sonicmigration.cli;

import java.util.List;
import org.sonicmigration.sim.GuestConfig;
import org.sonicmigration.sim.PageStoreMode;
import picocli.CommandLine.Option;

/** Options that describe a simulated guest: size, workloads, seed, page store. */
final class GuestOptions {
    @Option(names = {"-m", "--memory"}, paramLabel = "SIZE", defaultValue = "256M", converter = Sizes.class,
            description = "Guest memory, e.g. 256M, 2G, 64G (default: ${DEFAULT-VALUE}).")
    long memory;

    @Option(names = {"-w", "--workload"}, paramLabel = "SPEC",
            description = "cache:MB, user:MB, writer:PAGES_PER_S[:HOT_MB], churn[:TPS] or idle; repeatable.")
    List<String> workloads = List.of();

    @Option(names = "--seed", defaultValue = "1", description = "Seed of all guest randomness (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--store", defaultValue = "AUTO",
            description = "Page content: REAL bytes, SEEDED (for big guests), AUTO: real up to 1 GiB (default).")
    PageStoreMode store;

    @Option(names = "--name", defaultValue = "sim-guest", description = "Guest name (default: ${DEFAULT-VALUE}).")
    String name;

    GuestConfig config() {
        return GuestConfig.linux61(name, memory).withSeed(seed).withStoreMode(store);
    }
}
