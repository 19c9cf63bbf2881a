package org.sonicmigration.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.guest.GuestLayout;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.sim.kernel.FrameSpace;
import org.sonicmigration.sim.kernel.PageContent;
import org.sonicmigration.sim.kernel.PageStoreMode;
import org.sonicmigration.sim.kernel.WritebackPolicy;
import org.sonicmigration.sim.workload.WorkloadSpec;
import org.sonicmigration.spi.DirtyLog;
import org.sonicmigration.spi.DomainRef;
import org.sonicmigration.spi.PageBitmap;
import org.sonicmigration.spi.SourceDomain;

/**
 * The dirty log never loses a write: a copy of the guest built only from frame reads (all frames once, then
 * the frames of each fetch-and-clean, then a last fetch-and-clean after pausing) equals the guest, whatever
 * the timing of the fetches against the guest's concurrent writes (real-time clock: a driver thread writes
 * while this thread fetches and reads).
 */
class DirtyLogPropertyTest {
    static final long MIB = 1 << 20;

    /** One try: when the fetches happen, how hard the guest writes, which store, and whether files churn too. */
    record Case(List<Integer> pausesMicros, long pagesPerSecond, int hotPages, boolean seeded, boolean withChurn) {
    }

    static final Gen<Case> CASES = lists().of(integers().between(0, 4000)).ofSizeBetween(1, 12)
            .zip(longs().between(2_000, 400_000), integers().between(1, 2048), booleans().all(), booleans().all(),
                    Case::new);

    @Test
    void copyBuiltFromReadsEqualsTheGuest() {
        qt().withExamples(25).withShrinkCycles(20).forAll(CASES).checkAssert(c -> {
            try {
                copyBuiltFromReadsEqualsTheGuest(c.pausesMicros(), c.pagesPerSecond(), c.hotPages(), c.seeded(),
                        c.withChurn());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        });
    }

    private static void copyBuiltFromReadsEqualsTheGuest(List<Integer> pausesMicros, long pagesPerSecond, int hotPages,
                                                         boolean seeded, boolean withChurn) throws InterruptedException {
        GuestConfig cfg = GuestConfig.linux61("g", 16 * MIB).withLayout(new GuestLayout.Blank())
                .withFrameSpace(FrameSpace.FLAT).withStoreMode(seeded ? PageStoreMode.SEEDED : PageStoreMode.REAL)
                .withWorkloads(withChurn
                        ? new WorkloadSpec[] {WorkloadSpec.randomWriter(hotPages * 4096L, pagesPerSecond),
                                new WorkloadSpec.FileChurn(50, 512, 8192, 20_000)}
                        : new WorkloadSpec[] {WorkloadSpec.randomWriter(hotPages * 4096L, pagesPerSecond)})
                .withWriteback(new WritebackPolicy(Duration.ofMillis(3), Duration.ofMillis(2), Duration.ofMillis(1)));
        try (SimHypervisor h = new SimHypervisor(); Arena arena = Arena.ofConfined()) {
            SimGuest g = h.createGuest(cfg);
            assertThat(g.awaitReady(Duration.ofSeconds(30))).isTrue();
            long n = g.pfnLimit();
            long[] copy = new long[(int) n];
            MemorySegment buf = arena.allocate(4096);
            try (SourceDomain src = h.openSource(new DomainRef.ByName("g")); DirtyLog log = src.enableDirtyLog()) {
                PageBitmap bm = new PageBitmap(n);
                bm.setAll();
                readInto(src, bm, copy, buf);
                for (int pause : pausesMicros) {
                    LockSupport.parkNanos(pause * 1000L);
                    log.fetchAndClean(bm);
                    readInto(src, bm, copy, buf);
                }
                src.pause();
                log.fetchAndClean(bm);
                readInto(src, bm, copy, buf);
            }
            for (long pfn = 0; pfn < n; pfn++) {
                assertThat(copy[(int) pfn]).as("pfn %d (%s)", pfn, g.pageState(pfn)).isEqualTo(g.fingerprint(pfn));
            }
        }
    }

    private static void readInto(SourceDomain src, PageBitmap which, long[] copy, MemorySegment buf) {
        long[] one = new long[1];
        int[] err = new int[1];
        for (long p = which.nextSetBit(0); p >= 0; p = which.nextSetBit(p + 1)) {
            one[0] = p;
            src.readFrames(one, 1, buf, err);
            assertThat(err[0]).isZero();
            copy[(int) p] = PageContent.fingerprint(buf, 0);
        }
    }
}
