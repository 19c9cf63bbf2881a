package org.sonicmigration.sim.experiment;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.sonicmigration.engine.MigrationListener;
import org.sonicmigration.engine.MigrationOptions;
import org.sonicmigration.engine.SoftPolicy;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.sim.guest.WorkloadHandle;
import org.sonicmigration.sim.module.HintModuleSpec;
import org.sonicmigration.sim.workload.WorkloadSpec;
import org.sonicmigration.spi.RunState;
import org.sonicmigration.transport.Bandwidth;

/**
 * Hot-page retention measured: a guest whose page cache holds cold files and, read last, a hot set that a program
 * keeps re-reading ({@link WorkloadSpec.HotReread}) migrates in virtual time with each {@link Variant}; after the
 * migration the guest resumes with the page cache that arrived on the destination, and the experiment counts
 * the hot pages it had to read back from the disk and the guest time until the whole hot set is cached again.
 */
public final class RetainHotExperiment {

    /**
     * What is compared.
     *
     * @param label        how tables name it
     * @param soft         the engine's soft-page policy
     * @param referenced   the guest module publishes a referenced set (and keeps it in the handshake)
     * @param retainHot    the engine's {@code --retain-hot}: referenced pages are sent early, not skipped
     */
    public enum Variant {
        PRE_COPY("plain pre-copy", SoftPolicy.OFF, false, false),
        SONIC("SonicMigration", SoftPolicy.FREE_AND_CACHE, false, false),
        REFERENCED_KEPT("SonicMigration, module keeps referenced", SoftPolicy.FREE_AND_CACHE, true, false),
        RETAIN_HOT("SonicMigration --retain-hot", SoftPolicy.FREE_AND_CACHE, true, true);

        private final String label;
        private final SoftPolicy soft;
        private final boolean referenced;
        private final boolean retainHot;

        Variant(String label, SoftPolicy soft, boolean referenced, boolean retainHot) {
            this.label = label;
            this.soft = soft;
            this.referenced = referenced;
            this.retainHot = retainHot;
        }

        public String label() {
            return label;
        }
    }

    /**
     * The experiment.
     *
     * @param memoryBytes guest memory
     * @param coldBytes   file data read into the cache first and not read again
     * @param hotBytes    the hot set, read after the cold files and re-read in a loop
     * @param bandwidth   link cap
     * @param warmLimit   guest time after the migration to wait for the hot set to be cached again
     * @param seed        guest seed
     */
    public record Config(long memoryBytes, long coldBytes, long hotBytes, Bandwidth bandwidth, Duration warmLimit,
                         long seed) {
        public Config {
            Objects.requireNonNull(bandwidth, "bandwidth");
            if (coldBytes < 0 || hotBytes <= 0 || coldBytes + hotBytes >= memoryBytes) {
                throw new IllegalArgumentException("the cold files and the hot set must fit in the guest's memory");
            }
        }
    }

    /**
     * One variant's migration and what followed it.
     *
     * @param variant         what ran
     * @param seconds         migration time (virtual)
     * @param pagesSent       pages sent with data
     * @param downtimeMs      downtime
     * @param hotPages        pages of the hot set
     * @param rereadLive      hot pages the program read back from the disk between the migration's start and the
     *                        pause (dropped in the handshake; sent with their data)
     * @param coldAtResume    hot pages not in the page cache when the guest resumed on the destination
     * @param rereadAfter     hot pages read back from the disk after the resume
     * @param warmSeconds     guest time from the resume until the whole hot set was cached again
     * @param warmed          it was within the limit
     * @param verified        the destination matched the source where it must
     */
    public record Row(Variant variant, double seconds, long pagesSent, double downtimeMs, long hotPages, long rereadLive,
                      long coldAtResume, long rereadAfter, double warmSeconds, boolean warmed, boolean verified) {
    }

    private static final Duration WARM_STEP = Duration.ofMillis(1);

    private RetainHotExperiment() {}

    /** Runs every variant in turn; {@code progress} hears each row as it completes. */
    public static List<Row> run(Config config, Consumer<Row> progress) throws IOException, InterruptedException {
        List<Row> rows = new ArrayList<>();
        for (Variant v : Variant.values()) {
            Row r = runOne(config, v);
            rows.add(r);
            progress.accept(r);
        }
        return rows;
    }

    static Row runOne(Config c, Variant v) throws IOException, InterruptedException {
        List<WorkloadSpec> prepare = new ArrayList<>();
        if (c.coldBytes() > 0) {
            prepare.add(new WorkloadSpec.FillCache(c.coldBytes(), 256L << 20, 96L << 20));
        }
        WorkloadSpec.HotReread hot = new WorkloadSpec.HotReread(c.hotBytes(), 64L << 20, 96L << 20, 4096L << 20);
        prepare.add(hot);
        MigrationOptions options = MigrationOptions.defaults().withBandwidth(Optional.of(c.bandwidth()))
                .withSoft(v.soft).withRetainHot(v.retainHot);
        HintModuleSpec module = new HintModuleSpec.Cooperative(HintModuleSpec.DEFAULT_PERIOD,
                HintModuleSpec.DEFAULT_ACK_LATENCY, v.referenced);
        GuestConfig guest = GuestConfig.linux61("retain-hot", c.memoryBytes()).withSeed(c.seed()).withHintModule(module);
        long[] readAtStart = new long[1];
        After[] after = new After[1];
        SimulatedMigration.Result r = SimulatedMigration.run(
                new SimulatedMigration.Setup(guest, prepare, List.of(), options, true), MigrationListener.NONE,
                (host, g, clock) -> {
                    readAtStart[0] = reader(g).pagesTouched();
                    return null;
                },
                (host, g, clock) -> {
                    after[0] = afterMigration(g, c.warmLimit());
                    return null;
                });
        var m = r.report();
        After a = after[0] != null ? after[0] : new After(0, 0, 0, Double.NaN, false);
        return new Row(v, m.totalNanos() / 1e9, m.pagesSent(), m.downtimeNanos() / 1e6, Math.ceilDiv(c.hotBytes(), 4096),
                a.readAtPause() - readAtStart[0], a.coldAtResume(), a.readAfter(), a.warmSeconds(), a.warmed(),
                r.passed());
    }

    /** What the hot-set reader did after the migration. */
    private record After(long readAtPause, long coldAtResume, long readAfter, double warmSeconds,
                         boolean warmed) {}

    /**
     * Resumes the migrated guest (its page cache is the one the destination received) and runs it until its hot
     * set is cached again.
     */
    private static After afterMigration(SimGuest g, Duration limit) {
        WorkloadHandle reader = reader(g);
        long atPause = reader.pagesTouched();
        long cold = reader.coldPages();
        g.resumeAfterSuspend();
        if (g.state() == RunState.PAUSED) {
            g.unpause();
        }
        long start = g.uptime().toNanos();
        while (reader.coldPages() > 0 && g.uptime().toNanos() - start < limit.toNanos()) {
            g.advance(WARM_STEP);
        }
        boolean warmed = reader.coldPages() == 0;
        return new After(atPause, cold, reader.pagesTouched() - atPause, (g.uptime().toNanos() - start) / 1e9, warmed);
    }

    private static WorkloadHandle reader(SimGuest g) {
        return g.workloads().stream().filter(w -> w.spec() instanceof WorkloadSpec.HotReread).findFirst()
                .orElseThrow(() -> new IllegalStateException("the guest runs no hot-set reader"));
    }
}
