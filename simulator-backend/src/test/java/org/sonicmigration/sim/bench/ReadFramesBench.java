package org.sonicmigration.sim.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.sonicmigration.sim.SimHypervisor;
import org.sonicmigration.sim.guest.ClockMode;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.sim.kernel.PageStoreMode;
import org.sonicmigration.sim.workload.WorkloadSpec;

/**
 * Throughput of {@link SimGuest#readFrames} for the seeded and the real-bytes store, side by side in one run,
 * against a plain memory copy of the same amount as the baseline. Run:
 * {@code java -cp <test-classpath> org.sonicmigration.sim.bench.ReadFramesBench [GiB-to-read]}.
 */
public final class ReadFramesBench {
    private ReadFramesBench() {
    }

    public static void main(String[] args) {
        long gib = args.length > 0 ? Long.parseLong(args[0]) : 4;
        try (SimHypervisor h = new SimHypervisor(); Arena arena = Arena.ofConfined()) {
            SimGuest seeded = h.createGuest(GuestConfig.linux61("seeded", 1L << 30).withClock(ClockMode.VIRTUAL)
                    .withStoreMode(PageStoreMode.SEEDED).withWorkloads(WorkloadSpec.allocateAnon(900L << 20)));
            SimGuest real = h.createGuest(GuestConfig.linux61("real", 1L << 30).withClock(ClockMode.VIRTUAL)
                    .withStoreMode(PageStoreMode.REAL).withWorkloads(WorkloadSpec.allocateAnon(900L << 20)));
            seeded.advanceUntilReady(java.time.Duration.ofMillis(100), java.time.Duration.ofSeconds(10));
            real.advanceUntilReady(java.time.Duration.ofMillis(100), java.time.Duration.ofSeconds(10));
            MemorySegment buf = arena.allocate(1024 * 4096L, 4096);
            MemorySegment src = arena.allocate(1024 * 4096L, 4096);
            for (int round = 0; round < 3; round++) {
                System.out.printf("round %d: seeded %.2f GB/s, real %.2f GB/s, memcpy baseline %.2f GB/s%n", round,
                        rate(seeded, buf, gib), rate(real, buf, gib), copyRate(src, buf, gib));
            }
        }
    }

    private static double rate(SimGuest g, MemorySegment buf, long gib) {
        long pages = gib << 18;
        long ram = 262144;
        long[] pfns = new long[1024];
        int[] err = new int[1024];
        long t0 = System.nanoTime();
        for (long done = 0; done < pages; done += 1024) {
            for (int i = 0; i < 1024; i++) {
                pfns[i] = (done + i) % ram;
            }
            g.readFrames(pfns, 1024, buf, err);
        }
        return pages * 4096.0 / (System.nanoTime() - t0);
    }

    private static double copyRate(MemorySegment src, MemorySegment dst, long gib) {
        long pages = gib << 18;
        long t0 = System.nanoTime();
        for (long done = 0; done < pages; done += 1024) {
            MemorySegment.copy(src, 0, dst, 0, 1024 * 4096L);
        }
        return pages * 4096.0 / (System.nanoTime() - t0);
    }
}
