package org.sonicmigration.sim.bench;

import java.time.Duration;
import org.sonicmigration.sim.SimHypervisor;
import org.sonicmigration.sim.guest.ClockMode;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.sim.kernel.PageStoreMode;
import org.sonicmigration.sim.module.HintModuleSpec;
import org.sonicmigration.sim.workload.WorkloadSpec;

/**
 * Host cost of the simulated hint module, side by side in one run: the same idle, cache-filled guest advanced
 * by the same guest time without a module (the baseline) and with a module publishing every millisecond; the
 * difference over the number of publications is the host time one live publication costs the simulator.
 * Run: {@code java -cp <test-classpath> org.sonicmigration.sim.bench.HintModuleBench [GiB ...]}.
 */
public final class HintModuleBench {
    private HintModuleBench() {
    }

    public static void main(String[] args) {
        long[] sizes = args.length == 0 ? new long[] {2, 16} : java.util.Arrays.stream(args).mapToLong(Long::parseLong).toArray();
        for (long gib : sizes) {
            for (int round = 0; round < 3; round++) {
                double none = run(gib, HintModuleSpec.none());
                HintModuleSpec every1ms = new HintModuleSpec.Cooperative(Duration.ofMillis(1), HintModuleSpec.DEFAULT_ACK_LATENCY, false);
                long[] publications = new long[1];
                double with = run(gib, every1ms, publications);
                System.out.printf("%d GiB guest, round %d: 1 s of guest time %.1f ms host without module, %.1f ms with;"
                                + " %.3f ms host per live publication (%d publications)%n", gib, round, none, with,
                        (with - none) / publications[0], publications[0]);
            }
        }
    }

    private static double run(long gib, HintModuleSpec module) {
        return run(gib, module, new long[1]);
    }

    private static double run(long gib, HintModuleSpec module, long[] publications) {
        try (SimHypervisor h = new SimHypervisor()) {
            SimGuest g = h.createGuest(GuestConfig.linux61("bench", gib << 30).withClock(ClockMode.VIRTUAL)
                    .withStoreMode(PageStoreMode.SEEDED).withHintModule(module)
                    .withWorkloads(new WorkloadSpec.FillCache((gib << 30) * 3 / 4, 256L << 20, 64L << 30)));
            g.advanceUntilReady(Duration.ofMillis(100), Duration.ofSeconds(60));
            long before = g.hintModule().map(m -> m.stats().publications()).orElse(0L);
            long t0 = System.nanoTime();
            g.advance(Duration.ofSeconds(1));
            double ms = (System.nanoTime() - t0) / 1e6;
            publications[0] = g.hintModule().map(m -> m.stats().publications()).orElse(0L) - before;
            return ms;
        }
    }
}
