package org.sonicmigration.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sonicmigration.sim.guest.ClockMode;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.guest.GuestLayout;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.sim.kernel.FrameSpace;
import org.sonicmigration.sim.kernel.PageContent;
import org.sonicmigration.sim.kernel.PageState;
import org.sonicmigration.sim.kernel.PageStoreMode;
import org.sonicmigration.sim.kernel.WritebackPolicy;
import org.sonicmigration.sim.workload.WorkloadSpec;

/** Seeded content is deterministic, differs per version, and both stores give the same bytes for the same history. */
class PageContentTest {
    static final long MIB = 1 << 20;

    static GuestConfig busy(String name, PageStoreMode mode, long seed) {
        return GuestConfig.linux61(name, 256 * MIB).withClock(ClockMode.VIRTUAL).withSeed(seed).withStoreMode(mode)
                .withWorkloads(WorkloadSpec.fillCache(300 * MIB), WorkloadSpec.randomWriter(16 * MIB, 30_000),
                        new WorkloadSpec.FileChurn(100, 512, 16384, 3000))
                .withWriteback(new WritebackPolicy(Duration.ofMillis(200), Duration.ofMillis(50), Duration.ofMillis(5)));
    }

    @Test
    void sameSeedAndScheduleGiveTheSameMemoryHoweverTimeIsCut() {
        try (SimHypervisor h = new SimHypervisor()) {
            SimGuest a = h.createGuest(busy("a", PageStoreMode.SEEDED, 5));
            SimGuest b = h.createGuest(busy("b", PageStoreMode.SEEDED, 5));
            SimGuest c = h.createGuest(busy("c", PageStoreMode.SEEDED, 6));
            a.advance(Duration.ofMillis(1500));
            for (int i = 0; i < 300; i++) {
                b.advance(Duration.ofMillis(5));
            }
            c.advance(Duration.ofMillis(1500));
            long differentFromC = 0;
            for (long pfn = 0; pfn < a.pfnLimit(); pfn++) {
                assertThat(b.fingerprint(pfn)).as("pfn %d", pfn).isEqualTo(a.fingerprint(pfn));
                assertThat(b.pageState(pfn)).isEqualTo(a.pageState(pfn));
                if (a.fingerprint(pfn) != c.fingerprint(pfn)) {
                    differentFromC++;
                }
            }
            assertThat(differentFromC).as("another seed gives other memory").isGreaterThan(10_000);
            assertThat(a.stateCounts().get(PageState.CACHE_DIRTY) + a.stateCounts().get(PageState.CACHE_WRITEBACK))
                    .isGreaterThan(0);
        }
    }

    @Test
    void realAndSeededStoresAgreeByteForByte() {
        try (SimHypervisor h = new SimHypervisor()) {
            SimGuest real = h.createGuest(busy("real", PageStoreMode.REAL, 9));
            SimGuest seeded = h.createGuest(busy("seeded", PageStoreMode.SEEDED, 9));
            assertThat(real.storeMode()).isEqualTo(PageStoreMode.REAL);
            assertThat(seeded.storeMode()).isEqualTo(PageStoreMode.SEEDED);
            real.advance(Duration.ofMillis(800));
            seeded.advance(Duration.ofMillis(800));
            byte[] patch = {1, 2, 3, 4, 5};
            long anonPfn = firstIn(real, PageState.ANON);
            real.writeBytes(anonPfn, 4000, patch);
            seeded.writeBytes(anonPfn, 4000, patch);
            long freePfn = firstIn(real, PageState.FREE);
            real.writeBytes(freePfn, 0, patch);
            seeded.writeBytes(freePfn, 0, patch);
            for (long pfn = 0; pfn < real.pfnLimit(); pfn++) {
                assertThat(seeded.fingerprint(pfn)).as("pfn %d", pfn).isEqualTo(real.fingerprint(pfn));
            }
            for (long pfn = 0; pfn < real.pfnLimit(); pfn += 997) {
                if (real.pageState(pfn) != PageState.HOLE) {
                    assertThat(seeded.readPage(pfn)).isEqualTo(real.readPage(pfn));
                }
            }
            assertThat(real.readPage(anonPfn)).containsSequence(patch);
            assertThat(real.readPage(freePfn)).startsWith(patch);
            assertThat(real.fingerprint(freePfn)).isNotEqualTo(PageContent.ZERO_FINGERPRINT);
        }
    }

    @Test
    void everyWriteGivesNewContentAndTheFingerprintMatchesTheBytes() {
        qt().withExamples(50).forAll(integers().between(1, 20), booleans().all())
                .checkAssert(PageContentTest::everyWriteGivesNewContent);
    }

    private static void everyWriteGivesNewContent(int writes, boolean seeded) {
        try (SimHypervisor h = new SimHypervisor()) {
            SimGuest g = h.createGuest(GuestConfig.linux61("g", 4 * MIB).withLayout(new GuestLayout.Blank())
                    .withFrameSpace(FrameSpace.FLAT).withClock(ClockMode.VIRTUAL)
                    .withStoreMode(seeded ? PageStoreMode.SEEDED : PageStoreMode.REAL)
                    .withWorkloads(WorkloadSpec.randomWriter(4096, 1000)));
            g.advance(Duration.ofMillis(1));
            long pfn = firstIn(g, PageState.ANON);
            Set<Long> seen = new HashSet<>();
            for (int i = 0; i < writes; i++) {
                long fp = g.fingerprint(pfn);
                assertThat(PageContent.fingerprint(g.readPage(pfn), 0)).isEqualTo(fp);
                assertThat(seen.add(fp)).as("version %d is new content", i).isTrue();
                g.advance(Duration.ofMillis(1)); // one write per millisecond to the one hot page
            }
        }
    }

    @Test
    void generatedPagesLookRandomAndZeroPagesAreZero() {
        byte[] a = new byte[4096];
        PageContent.generate(1, a, 0);
        byte[] b = new byte[4096];
        PageContent.generate(2, b, 0);
        assertThat(a).isNotEqualTo(b);
        long distinct = 0;
        for (int i = 0; i < 4096; i += 8) {
            distinct += a[i] != a[i + 1] ? 1 : 0;
        }
        assertThat(distinct).isGreaterThan(400);
        assertThat(PageContent.fingerprintOfSeed(1)).isEqualTo(PageContent.fingerprint(a, 0));
        assertThat(PageContent.ZERO_FINGERPRINT).isEqualTo(PageContent.fingerprint(new byte[4096], 0));
    }

    /** A receiver hands pages over in a direct buffer (a socket's channel) or a heap array (a stream): same fingerprint. */
    @Test
    void offHeapAndHeapPagesHaveTheSameFingerprint() {
        qt().withExamples(200).forAll(integers().between(0, 3), integers().between(0, 4095)).checkAssert((page, seed) -> {
            byte[] heap = new byte[3 * 4096 + 8];
            for (int i = 0; i < heap.length; i += 4096) {
                PageContent.generate(seed * 7L + i, heap, Math.min(i, heap.length - 4096));
            }
            java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(heap.length).put(heap).flip();
            long offset = Math.min(page * 4096L + (page == 3 ? 8 : 0), heap.length - 4096);
            assertThat(PageContent.fingerprint(java.lang.foreign.MemorySegment.ofBuffer(direct), offset))
                    .isEqualTo(PageContent.fingerprint(heap, (int) offset))
                    .isEqualTo(PageContent.fingerprint(java.lang.foreign.MemorySegment.ofArray(heap), offset));
        });
    }

    static long firstIn(SimGuest g, PageState s) {
        for (long p = 0; p < g.pfnLimit(); p++) {
            if (g.pageState(p) == s) {
                return p;
            }
        }
        throw new AssertionError("no page in state " + s);
    }
}
