package org.sonicmigration.sim.experiment;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.sonicmigration.engine.MigrationListener;
import org.sonicmigration.engine.MigrationOptions;
import org.sonicmigration.engine.MigrationReport;
import org.sonicmigration.engine.SoftPolicy;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.sim.kernel.PageState;
import org.sonicmigration.sim.workload.WorkloadSpec;
import org.sonicmigration.transport.Bandwidth;

/**
 * The SonicMigration paper's Figure 3, on the simulator: a guest whose page cache was filled by
 * reading files, then user memory of several sizes allocated on top; each point migrated twice over
 * a capped link, once with plain pre-copy and once with soft pages skipped, and every run verified.
 */
public final class Fig3Experiment {

    /**
     * The sweep.
     *
     * @param memoryBytes guest memory (paper: 2 GiB)
     * @param cacheBytes  file data read before allocating user memory (paper: 2 GB)
     * @param userMib     user-memory sizes (paper: 0, 256, 512, 1024, 1536, 2000)
     * @param bandwidth   link cap (paper: 1 Gbit/s)
     * @param virtualTime model time instead of spending it
     * @param seed        guest seed
     */
    public record Config(long memoryBytes, long cacheBytes, List<Long> userMib, Bandwidth bandwidth, boolean virtualTime,
                         long seed) {
        public Config {
            userMib = List.copyOf(userMib);
        }

        public static Config paper(boolean virtualTime) {
            return new Config(2L << 30, 2L << 30, List.of(0L, 256L, 512L, 1024L, 1536L, 2000L),
                    Bandwidth.parse("1Gbit"), virtualTime, 1);
        }
    }

    /**
     * One migration of the sweep.
     *
     * @param userMib      user memory asked for
     * @param anonMib      anonymous memory the guest actually held when migrated
     * @param policy       soft-page policy of this run
     * @param seconds      migration time (engine clock)
     * @param pagesSent    pages sent with content
     * @param bytes        stream bytes
     * @param downtimeMs   downtime
     * @param unsentPages  pages never sent
     * @param iterations   passes, the final one included
     * @param verified     the destination matched the source where it must
     * @param report       the engine's full report
     */
    public record Point(long userMib, double anonMib, SoftPolicy policy, double seconds, long pagesSent, long bytes,
                        double downtimeMs, long unsentPages, int iterations, boolean verified, MigrationReport report) {}

    private Fig3Experiment() {}

    /** Runs the sweep; {@code progress} hears each point as it completes. */
    public static List<Point> run(Config config, Consumer<Point> progress) throws IOException, InterruptedException {
        List<Point> points = new ArrayList<>();
        for (long user : config.userMib()) {
            for (SoftPolicy policy : List.of(SoftPolicy.OFF, SoftPolicy.FREE_AND_CACHE)) {
                Point p = runOne(config, user, policy);
                points.add(p);
                progress.accept(p);
            }
        }
        return points;
    }

    static Point runOne(Config config, long userMib, SoftPolicy policy) throws IOException, InterruptedException {
        List<WorkloadSpec> prepare = new ArrayList<>();
        prepare.add(WorkloadSpec.fillCache(config.cacheBytes()));
        if (userMib > 0) {
            prepare.add(WorkloadSpec.allocateAnon(userMib << 20));
        }
        MigrationOptions options = MigrationOptions.defaults().withBandwidth(Optional.of(config.bandwidth()))
                .withSoft(policy);
        GuestConfig guest = GuestConfig.linux61("fig3", config.memoryBytes()).withSeed(config.seed());
        double[] anon = new double[1];
        SimulatedMigration.Result r = SimulatedMigration.run(new SimulatedMigration.Setup(guest, prepare, List.of(),
                options, config.virtualTime()), MigrationListener.NONE, g -> anon[0] = anonMib(g));
        MigrationReport m = r.report();
        return new Point(userMib, anon[0], policy, m.totalNanos() / 1e9, m.pagesSent(), m.bytes(), m.downtimeNanos() / 1e6,
                m.soft().unsentPages(), m.iterations().size(), r.passed(), m);
    }

    private static double anonMib(SimGuest g) {
        long pages = g.stateCounts().getOrDefault(PageState.ANON, 0L);
        return pages * 4096.0 / (1 << 20);
    }
}
