package org.sonicmigration.sim;

import org.sonicmigration.testsupport.ProfileData;
import org.sonicmigration.guest.profile.MemoryProfile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.sonicmigration.guest.FinalRead;
import org.sonicmigration.guest.HintAreaReader;
import org.sonicmigration.guest.HintFlag;
import org.sonicmigration.guest.HintSnapshot;
import org.sonicmigration.guest.SoftSet;
import org.sonicmigration.sim.guest.ClockMode;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.sim.kernel.FrameSpace;
import org.sonicmigration.sim.kernel.PageState;
import org.sonicmigration.sim.kernel.WritebackPolicy;
import org.sonicmigration.sim.module.HintModule;
import org.sonicmigration.sim.module.HintModuleSpec;
import org.sonicmigration.sim.workload.WorkloadSpec;
import org.sonicmigration.spi.DomainRef;
import org.sonicmigration.spi.HintChannel;
import org.sonicmigration.spi.SourceDomain;

/**
 * The module's live soft set: at the moment it is published it is exactly the guest's buddy-free, held and
 * clean-cache pages, and dom0's reader sees exactly that publication.
 */
class HintModuleLiveSetTest {
    static final long MIB = 1 << 20;
    /** States whose pages may be soft (SPEC.md §3); everything else must never appear in a live set. */
    static final Set<PageState> SOFT = EnumSet.of(PageState.FREE, PageState.HELD, PageState.CACHE_CLEAN);

    /** One try: the guest's workloads and frame space, whether dom0 asks for a handshake, the module's period. */
    record Case(int cacheMib, int anonMib, boolean churn, boolean writer, boolean pvh, boolean handshake, int periodMs,
                int seed) {
    }

    static final Gen<Case> CASES = in -> new Case(integers().between(0, 24).generate(in),
            integers().between(0, 12).generate(in), booleans().all().generate(in), booleans().all().generate(in),
            booleans().all().generate(in), booleans().all().generate(in), integers().between(1, 40).generate(in),
            integers().between(0, 1000).generate(in));

    @Test
    void publishedLiveSetIsTheFreeHeldAndCleanCachePagesAtPublishTime() {
        qt().withExamples(15).withShrinkCycles(20).forAll(CASES).checkAssert(c -> publishedLiveSetIsExact(c.cacheMib(),
                c.anonMib(), c.churn(), c.writer(), c.pvh(), c.handshake(), c.periodMs(), c.seed()));
    }

    private static void publishedLiveSetIsExact(int cacheMib, int anonMib, boolean churn, boolean writer, boolean pvh,
                                                boolean handshake, int periodMs, int seed) {
        List<WorkloadSpec> w = new ArrayList<>();
        if (cacheMib > 0) {
            w.add(new WorkloadSpec.FillCache(cacheMib * MIB, 4 * MIB, 64 * MIB));
        }
        if (anonMib > 0) {
            w.add(new WorkloadSpec.AllocateAnon(anonMib * MIB, 32 * MIB));
        }
        if (churn) {
            w.add(new WorkloadSpec.FileChurn(60, 512, 32768, 4000));
        }
        if (writer) {
            w.add(WorkloadSpec.randomWriter(2 * MIB, 5000));
        }
        GuestConfig cfg = GuestConfig.linux61("g", 64 * MIB).withClock(ClockMode.VIRTUAL).withSeed(seed)
                .withFrameSpace(pvh ? FrameSpace.XEN_PVH : FrameSpace.FLAT)
                .withWriteback(new WritebackPolicy(Duration.ofMillis(20), Duration.ofMillis(7), Duration.ofMillis(3)))
                .withHintModule(new HintModuleSpec.Cooperative(Duration.ofMillis(periodMs), Duration.ofMillis(2), false))
                .withWorkloads(w.toArray(WorkloadSpec[]::new));
        try (SimHypervisor h = new SimHypervisor()) {
            SimGuest g = h.createGuest(cfg);
            HintModule m = g.hintModule().orElseThrow();
            AtomicReference<HintModule.LivePublication> seen = new AtomicReference<>();
            m.onPublish(seen::set);
            HintAreaReader reader = new HintAreaReader(g.pfnLimit());
            int compared = 0;
            Set<PageState> presentAtPublish = EnumSet.noneOf(PageState.class);
            try (SourceDomain src = h.openSource(new DomainRef.ById(g.domid()))) {
                HintChannel ch = src.hintChannel().orElseThrow();
                for (int ms = 0; ms < 400; ms++) {
                    if (handshake && ms == 150) {
                        ch.notifyGuest();
                    }
                    g.advance(Duration.ofMillis(1));
                    HintModule.LivePublication p = seen.getAndSet(null);
                    if (p == null) {
                        continue;
                    }
                    // the module runs last in the quantum: the guest is still as it was when it published
                    assertThat(p.soft()).isEqualTo(expectedSoft(g, m.pfnCount()));
                    g.stateCounts().forEach((s, n) -> {
                        if (n > 0) {
                            presentAtPublish.add(s);
                        }
                    });
                    HintSnapshot snap = reader.read(ch.area());
                    assertThat(snap).isInstanceOf(HintSnapshot.Valid.class);
                    HintSnapshot.Valid v = (HintSnapshot.Valid) snap;
                    assertThat(v.generation()).isEqualTo(p.generation());
                    assertThat(v.flags()).contains(HintFlag.FREE, HintFlag.CLEAN_CACHE);
                    assertSameMembers(v.soft(), p.soft());
                    for (long a : m.areaPfns()) {
                        assertThat(v.soft().contains(a)).as("area page %d", a).isFalse();
                    }
                    compared++;
                }
            }
            assertThat(compared).isGreaterThanOrEqualTo(400 / Math.max(periodMs, 1) / 2);
            // the comparisons covered the page kinds that must stay out of the set
            assertThat(presentAtPublish).contains(PageState.ANON, PageState.SLAB, PageState.KERNEL, PageState.RESERVED);
            if (anonMib > 0 || writer) {
                assertThat(presentAtPublish).contains(PageState.PAGE_TABLE);
            }
            if (churn) {
                assertThat(presentAtPublish).contains(PageState.CACHE_DIRTY);
            }
            if (cacheMib > 0 && compared > 3) {
                assertThat(presentAtPublish).contains(PageState.CACHE_CLEAN);
            }
            if (handshake) {
                assertThat(m.stats().finalSets()).isEqualTo(1);
            }
        }
    }

    @Test
    void aReplayedMeasuredGuestPublishesOnlyItsFreeAndCleanCachePages() {
        try (SimHypervisor h = new SimHypervisor()) {
            SimGuest g = h.createGuest(GuestConfig.fromProfile("real", MemoryProfile.load(ProfileData.linux61(), "cache")).withClock(ClockMode.VIRTUAL));
            g.advance(Duration.ofMillis(5));
            HintModule m = g.hintModule().orElseThrow();
            SoftSet live = m.lastLive().orElseThrow().soft();
            Map<PageState, Long> members = new EnumMap<>(PageState.class);
            for (long p = live.nextSetBit(0); p >= 0; p = live.nextSetBit(p + 1)) {
                members.merge(g.pageState(p), 1L, Long::sum);
            }
            assertThat(members.keySet()).isSubsetOf(SOFT);
            // the replayed guest has every hard kind of page the live set must leave out
            Map<PageState, Long> counts = g.stateCounts();
            for (PageState hard : List.of(PageState.ANON, PageState.SLAB, PageState.PAGE_TABLE, PageState.SHMEM,
                    PageState.KERNEL, PageState.KERNEL_COMPOUND, PageState.RESERVED)) {
                assertThat(counts.get(hard)).as("%s pages in the replayed guest", hard).isPositive();
            }
            assertThat(members.get(PageState.CACHE_CLEAN)).isEqualTo(counts.get(PageState.CACHE_CLEAN));
            assertThat(members.get(PageState.FREE)).isEqualTo(counts.get(PageState.FREE));
            System.out.printf("replayed 'cache' guest: live soft set %d of %d PFNs (%s)%n", live.cardinality(), m.pfnCount(), members);
        }
    }

    @Test
    void referencedPagesAreHotCleanCacheAndSurviveTheHandshakeDrop() {
        GuestConfig cfg = GuestConfig.linux61("g", 128 * MIB).withClock(ClockMode.VIRTUAL).withFrameSpace(FrameSpace.FLAT)
                .withHintModule(new HintModuleSpec.Cooperative(Duration.ofMillis(20), Duration.ofMillis(2), true))
                .withWorkloads(new WorkloadSpec.FillCache(64 * MIB, 8 * MIB, 256 * MIB));
        try (SimHypervisor h = new SimHypervisor()) {
            SimGuest g = h.createGuest(cfg);
            assertThat(g.advanceUntilReady(Duration.ofMillis(10), Duration.ofSeconds(10))).isTrue();
            g.advance(Duration.ofMillis(25));
            HintModule m = g.hintModule().orElseThrow();
            HintModule.LivePublication p = m.lastLive().orElseThrow();
            SoftSet ref = p.referenced().orElseThrow();
            assertThat(ref.isSubsetOf(p.soft())).isTrue();
            long clean = g.stateCounts().get(PageState.CACHE_CLEAN);
            assertThat(ref.cardinality()).isBetween(clean / HintModule.REFERENCED_FRACTION - 64,
                    clean / HintModule.REFERENCED_FRACTION + 64);
            try (SourceDomain src = h.openSource(new DomainRef.ByName("g"))) {
                HintChannel ch = src.hintChannel().orElseThrow();
                HintSnapshot.Valid v = (HintSnapshot.Valid) new HintAreaReader(g.pfnLimit()).read(ch.area());
                assertThat(v.flags()).contains(HintFlag.REFERENCED);
                assertSameMembers(v.referenced().orElseThrow(), ref);
                SoftSet promised = m.lastLive().orElseThrow().referenced().orElseThrow();
                FinalRead.Ready ready = (FinalRead.Ready) Dom0Side.handshake(g, ch, Duration.ofSeconds(2)).read();
                for (long q = promised.nextSetBit(0); q >= 0; q = promised.nextSetBit(q + 1)) {
                    assertThat(g.pageState(q)).as("referenced pfn %d", q).isEqualTo(PageState.CACHE_CLEAN);
                    assertThat(ready.finalSet().contains(q)).isFalse();
                }
                assertThat(g.stateCounts().get(PageState.CACHE_CLEAN)).isEqualTo(promised.cardinality());
            }
        }
    }

    static SoftSet expectedSoft(SimGuest g, long pfnCount) {
        SoftSet.Builder b = SoftSet.builder(pfnCount);
        for (long p = 0; p < pfnCount; p++) {
            if (SOFT.contains(g.pageState(p))) {
                b.set(p);
            }
        }
        return b.build();
    }

    /** Same members, the reader's set being sized to the whole domain and the module's to its RAM. */
    static void assertSameMembers(SoftSet domainSized, SoftSet guestSized) {
        assertThat(domainSized.cardinality()).isEqualTo(guestSized.cardinality());
        for (long p = guestSized.nextSetBit(0); p >= 0; p = guestSized.nextSetBit(p + 1)) {
            assertThat(domainSized.contains(p)).isTrue();
        }
    }
}
