package org.sonicmigration.cli;

import java.nio.file.Path;
import java.util.List;
import org.sonicmigration.guest.profile.MemoryProfile;
import org.sonicmigration.guest.profile.PageClass;
import org.sonicmigration.guest.profile.ProfileFormatException;
import org.sonicmigration.guest.profile.ProfileJson;
import org.sonicmigration.sim.GuestConfig;
import org.sonicmigration.sim.PageStoreMode;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Options that describe a simulated guest: size (or a replayed memory profile), workloads, seed, page store. */
final class GuestOptions {
    @Option(names = {"-m", "--memory"}, paramLabel = "SIZE", defaultValue = "256M", converter = Sizes.class,
            description = "Guest memory, e.g. 256M, 2G, 64G (default: ${DEFAULT-VALUE}).")
    long memory;

    @Option(names = "--profile", paramLabel = "FILE",
            description = "Start from a real machine's memory saved by 'sonic hints scan --profile FILE'; its size"
                    + " is the guest's memory.")
    Path profile;

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

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec mixee;

    /**
     * The guest to create. With {@code --profile} the memory size is the profile's, and {@link #memory} is set to
     * it (so reports show the real size); an explicit {@code --memory} must then agree.
     */
    GuestConfig config() {
        if (profile == null) {
            return GuestConfig.linux61(name, memory).withSeed(seed).withStoreMode(store);
        }
        MemoryProfile p;
        try {
            p = ProfileJson.read(profile, GuestConfig.MAX_MEMORY_BYTES / 4096);
        } catch (ProfileFormatException e) {
            throw new Errors.UserException(e.getMessage(), e);
        }
        long ram = (p.pfnCount() - p.pages(PageClass.HOLE)) * 4096;
        if (memoryGiven() && memory != ram) {
            throw new CommandLine.ParameterException(mixee.commandLine(), "--memory " + Sizes.format(memory)
                    + " differs from the " + Sizes.format(ram) + " of --profile " + profile
                    + " (leave --memory out: the profile sets it)");
        }
        memory = ram;
        return GuestConfig.fromProfile(name, p).withSeed(seed).withStoreMode(store);
    }

    private boolean memoryGiven() {
        CommandLine.ParseResult parsed = mixee.commandLine().getParseResult();
        return parsed != null && parsed.hasMatchedOption("--memory");
    }
}
