package org.sonicmigration.cli;

import java.nio.file.Path;
import java.util.List;
import org.sonicmigration.guest.profile.MemoryProfile;
import org.sonicmigration.guest.profile.PageClass;
import org.sonicmigration.guest.profile.ProfileFormatException;
import org.sonicmigration.guest.profile.ProfileJson;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.kernel.PageStoreMode;
import picocli.CommandLine;
import org.sonicmigration.sim.module.HintModuleSpec;
import picocli.CommandLine.Option;

/**
 * Options that describe a simulated guest: size (or a replayed memory profile), workloads, seed, page
 * store. Commands that migrate a domain of this host use them only on the simulator, which has no
 * domains of its own.
 */
final class GuestOptions {
    @Option(names = {"-m", "--memory"}, paramLabel = "SIZE", defaultValue = "256M", converter = Sizes.class,
            description = "Guest memory, e.g. 256M, 2G, 64G (default: ${DEFAULT-VALUE}).")
    long memory;

    @Option(names = "--profile", paramLabel = "FILE",
            description = "Start from a real machine's memory saved by 'sonic hints scan --profile FILE'; its size"
                    + " is the guest's memory.")
    Path profile;

    @Option(names = {"-w", "--workload"}, paramLabel = "SPEC",
            description = "cache:MB, user:MB, writer:PAGES_PER_S[:HOT_MB], churn:PAGES_PER_S[:POOL_MB] (memory churn:"
                    + " fresh pages allocated and written, old ones freed), postmark[:TPS] (small-file churn) or idle;"
                    + " repeatable.")
    List<String> workloads = List.of();

    @Option(names = "--seed", defaultValue = "1", description = "Seed of all guest randomness (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--store", defaultValue = "AUTO",
            description = "Page content: REAL bytes, SEEDED (for big guests), AUTO: real up to 1 GiB"
                    + " (default: ${DEFAULT-VALUE}).")
    PageStoreMode store;

    @Option(names = "--guest-module", paramLabel = "KIND", defaultValue = "cooperative", converter = ModuleConverter.class,
            description = "The guest's SonicMigration module (default: ${DEFAULT-VALUE}): cooperative (its final soft set lists the free"
                    + " pages and leaves them in the allocator, as the Linux module does on a kernel with init_on_alloc"
                    + " like Debian's; pages the guest takes before the pause are dirtied and sent), cooperative:hold"
                    + " (takes them out of the allocator until resume; with init_on_alloc that zeroes, so dirties and"
                    + " sends, every held page), cooperative:periodic (an ABI 1.0 module that republishes its live"
                    + " set every period instead of only while dom0's lease lives), none, slow, or hostile:KIND with KIND one of all_soft, torn_generation,"
                    + " bad_magic, bad_version, bad_lengths, lying_final.")
    HintModuleSpec module;

    /** Parses {@code --guest-module}. */
    static final class ModuleConverter implements picocli.CommandLine.ITypeConverter<HintModuleSpec> {
        @Override
        public HintModuleSpec convert(String value) {
            String v = value.toLowerCase(java.util.Locale.ROOT);
            return switch (v) {
                case "cooperative", "cooperative:list" -> HintModuleSpec.cooperative();
                case "cooperative:hold" -> HintModuleSpec.holding();
                case "cooperative:periodic" -> HintModuleSpec.cooperative()
                        .withPublication(HintModuleSpec.Publication.PERIODIC);
                case "none" -> HintModuleSpec.none();
                case "slow" -> HintModuleSpec.slow();
                default -> {
                    if (v.startsWith("hostile:")) {
                        try {
                            yield HintModuleSpec.hostile(HintModuleSpec.HostileKind.valueOf(
                                    v.substring("hostile:".length()).toUpperCase(java.util.Locale.ROOT)));
                        } catch (IllegalArgumentException e) {
                            // fall through to the message below
                        }
                    }
                    throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not a guest module (use"
                            + " cooperative, cooperative:hold, cooperative:periodic, none, slow or hostile:all_soft|torn_generation|bad_magic|"
                            + "bad_version|bad_lengths|lying_final)");
                }
            };
        }
    }

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
            return GuestConfig.linux61(name, memory).withSeed(seed).withStoreMode(store).withHintModule(module);
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
        return GuestConfig.fromProfile(name, p).withSeed(seed).withStoreMode(store).withHintModule(module);
    }

    private boolean memoryGiven() {
        CommandLine.ParseResult parsed = mixee.commandLine().getParseResult();
        return parsed != null && parsed.hasMatchedOption("--memory");
    }
}
