package org.sonicmigration.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.sonicmigration.guest.profile.MemoryProfile;
import org.sonicmigration.guest.profile.PageClass;
import org.sonicmigration.sim.guest.ClockMode;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.sim.kernel.PageContent;
import org.sonicmigration.sim.kernel.PageState;
import org.sonicmigration.sim.kernel.PageStoreMode;
import org.sonicmigration.sim.workload.WorkloadSpec;

/** A 64 GiB guest fits in the 4 GiB test heap with the seeded store, and reads work across its frame space. */
class LargeGuestTest {
    static final long GIB = 1L << 30;

    @Test
    void sixtyFourGibSeededGuestIsCreatedAndReadWithinTheHeap() {
        try (SimHypervisor h = new SimHypervisor(); Arena arena = Arena.ofConfined()) {
            SimGuest g = h.createGuest(GuestConfig.linux61("big", 64 * GIB).withClock(ClockMode.VIRTUAL)
                    .withWorkloads(WorkloadSpec.randomWriter(GIB, 100_000)));
            assertThat(g.storeMode()).isEqualTo(PageStoreMode.SEEDED);
            // RAM below 3.75 GiB, the MMIO hole, the rest above 4 GiB
            assertThat(g.pfnLimit()).isEqualTo(0x100000L + 64 * GIB / 4096 - 0xF0000L);
            // the hint module's area is real guest memory kept as bytes (two bitmaps: 2 bits per frame)
            long areaBytes = g.hintModule().orElseThrow().geometry().areaBytes();
            double bytesPerPage = (double) (g.footprintBytes() - areaBytes) / g.pfnLimit();
            System.out.printf("64 GiB guest: %d frames, %.2f bytes of metadata per frame, %d KiB hint area%n",
                    g.pfnLimit(), bytesPerPage, areaBytes >> 10);
            assertThat(bytesPerPage).isLessThanOrEqualTo(8.5);

            g.advance(Duration.ofMillis(200));
            MemoryProfile p = g.profile();
            assertThat(p.pages(PageClass.HOLE)).isEqualTo(0x100000L - 0xF0000L);
            assertThat(p.pages(PageClass.ANON)).isGreaterThan(0);
            // the calibrated layout scaled by 32: the struct-page array is 32 times larger
            assertThat(p.pages(PageClass.RESERVED)).isGreaterThan(32 * (21258 - 11574));

            int batch = 1024;
            long[] pfns = new long[batch];
            int[] err = new int[batch];
            MemorySegment buf = arena.allocate((long) batch * 4096);
            long stride = g.pfnLimit() / batch;
            for (int i = 0; i < batch; i++) {
                pfns[i] = i * stride;
            }
            g.readFrames(pfns, batch, buf, err);
            for (int i = 0; i < batch; i++) {
                if (err[i] == 0) {
                    assertThat(PageContent.fingerprint(buf, (long) i * 4096)).isEqualTo(g.fingerprint(pfns[i]));
                } else {
                    assertThat(g.pageState(pfns[i])).isEqualTo(PageState.HOLE);
                }
            }
        }
    }
}
