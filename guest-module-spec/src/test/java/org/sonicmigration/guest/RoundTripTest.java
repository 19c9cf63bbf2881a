package org.sonicmigration.guest;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** What the Java writer publishes, the Java reader reads back unchanged, in both encodings. */
class RoundTripTest {

    /** A soft set with a second set of the same size (used as referenced or final). */
    record Pair(SoftSet a, SoftSet b) {
    }

    @Provide
    Arbitrary<Pair> pairs() {
        return SoftSetArbitraries.sizes(4000).flatMap(size -> Combinators.combine(
                SoftSetArbitraries.softSetsOfSize(size), SoftSetArbitraries.softSetsOfSize(size)).as(Pair::new));
    }

    /** Extent sections that hold every run: nothing may be lost. */
    private static HintAreaGeometry roomyExtents(Pair p) {
        long page = HintAreaLayout.PAGE_SIZE;
        long cap = Math.max(1, Math.max(p.a().runCount(), p.b().runCount())) * HintAreaLayout.EXTENT_SIZE;
        return HintAreaGeometry.of(p.a().size(),
                new SetPlacement(SetEncoding.EXTENTS, page, cap),
                new SetPlacement(SetEncoding.EXTENTS, page + cap, cap),
                new SetPlacement(SetEncoding.EXTENTS, page + 2 * cap, cap));
    }

    @Property(tries = 150)
    void liveAndReferencedSetsRoundTrip(@ForAll("pairs") Pair p, @ForAll boolean extents, @ForAll boolean withReferenced) {
        HintAreaGeometry g = extents ? roomyExtents(p) : HintAreaGeometry.plan(p.a().size(), true);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment area = arena.allocate(g.areaBytes(), 8);
            HintAreaWriter w = HintAreaWriter.initialize(area, g, 500, 1000);
            long gen = w.publish(p.a(), withReferenced ? p.b() : null, Set.of(HintFlag.FREE), 42);
            HintSnapshot s = new HintAreaReader(p.a().size()).read(area);
            assertThat(s).isInstanceOfSatisfying(HintSnapshot.Valid.class, v -> {
                assertThat(v.generation()).isEqualTo(gen);
                assertThat(v.soft()).isEqualTo(p.a());
                assertThat(v.referenced().isPresent()).isEqualTo(withReferenced);
                v.referenced().ifPresent(r -> assertThat(r).isEqualTo(p.b().and(p.a())));
                assertThat(v.flags()).contains(HintFlag.FREE).doesNotContain(HintFlag.TRUNCATED);
                assertThat(v.publishTimeNanos()).isEqualTo(42);
            });
        }
    }

    @Property(tries = 150)
    void finalSetRoundTripsOnlyForTheAnsweringHandshake(@ForAll("pairs") Pair p, @ForAll boolean extents) {
        HintAreaGeometry g = extents ? roomyExtents(p) : HintAreaGeometry.plan(p.a().size(), false);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment area = arena.allocate(g.areaBytes(), 8);
            HintAreaWriter w = HintAreaWriter.initialize(area, g, 500, 1000);
            HintAreaReader reader = new HintAreaReader(p.a().size());
            // an earlier handshake left a final set behind; dom0's ticket comes after it
            w.request();
            w.publishFinal(p.b(), Set.of(HintFlag.FREE), 1);
            HandshakeTicket ticket = reader.beginHandshake(area);
            assertThat(reader.readFinal(area, ticket)).isInstanceOf(FinalRead.Pending.class);
            long seq = w.request();
            w.startDropping();
            assertThat(reader.readFinal(area, ticket)).isInstanceOf(FinalRead.Pending.class);
            w.publishFinal(p.a(), Set.of(HintFlag.FREE, HintFlag.HELD), 2);
            assertThat(reader.readFinal(area, ticket)).isInstanceOfSatisfying(FinalRead.Ready.class, r -> {
                assertThat(r.seq()).isEqualTo(seq);
                assertThat(r.finalSet()).isEqualTo(p.a());
                assertThat(r.flags()).containsExactlyInAnyOrder(HintFlag.FREE, HintFlag.HELD);
            });
        }
    }

    @Property(tries = 150)
    void aTooSmallExtentSectionKeepsTheLongestRunsAndSaysSo(@ForAll("pairs") Pair p, @ForAll @IntRange(min = 1, max = 8) int capacity) {
        SoftSet s = p.a();
        long cap = capacity * HintAreaLayout.EXTENT_SIZE;
        long page = HintAreaLayout.PAGE_SIZE;
        HintAreaGeometry g = HintAreaGeometry.of(s.size(),
                new SetPlacement(SetEncoding.EXTENTS, page, cap),
                new SetPlacement(SetEncoding.EXTENTS, page + cap, cap), SetPlacement.ABSENT);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment area = arena.allocate(g.areaBytes(), 8);
            HintAreaWriter w = HintAreaWriter.initialize(area, g, 0, 0);
            w.publish(s, Set.of(HintFlag.FREE), 0);
            HintSnapshot.Valid v = (HintSnapshot.Valid) new HintAreaReader(s.size()).read(area);
            assertThat(v.soft().isSubsetOf(s)).isTrue();
            assertThat(v.flags().contains(HintFlag.TRUNCATED)).isEqualTo(s.runCount() > capacity);
            assertThat(v.soft().runCount()).isEqualTo(Math.min(capacity, s.runCount()));
            // every run kept is at least as long as every run dropped
            List<Long> kept = new ArrayList<>();
            v.soft().forEachRun((st, len) -> kept.add(len));
            long shortestKept = kept.stream().mapToLong(Long::longValue).min().orElse(Long.MAX_VALUE);
            s.forEachRun((st, len) -> {
                if (!v.soft().contains(st)) {
                    assertThat(len).isLessThanOrEqualTo(shortestKept);
                }
            });
        }
    }

    @Property(tries = 50)
    void aGuestSmallerThanTheDomainLeavesTheRestHard(@ForAll("pairs") Pair p, @ForAll @IntRange(min = 1, max = 500) int extra) {
        SoftSet s = p.a();
        HintAreaGeometry g = HintAreaGeometry.plan(s.size(), false);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment area = arena.allocate(g.areaBytes(), 8);
            HintAreaWriter.initialize(area, g, 0, 0).publish(s, Set.of(), 0);
            HintSnapshot.Valid v = (HintSnapshot.Valid) new HintAreaReader(s.size() + extra).read(area);
            assertThat(v.soft().size()).isEqualTo(s.size() + extra);
            assertThat(v.soft().cardinality()).isEqualTo(s.cardinality());
            assertThat(v.soft().nextSetBit(s.size())).isEqualTo(-1);
        }
    }

    @Property(tries = 30)
    void plannedGeometriesAreValidAndFollowTheBudgetRule(@ForAll("bigSizes") long pfnCount, @ForAll boolean withReferenced) {
        HintAreaGeometry g = HintAreaGeometry.plan(pfnCount, withReferenced);
        assertThat(g.areaBytes()).isLessThanOrEqualTo(HintAreaGeometry.DEFAULT_BUDGET_BYTES);
        int sets = withReferenced ? 3 : 2;
        long bitmapPages = (HintAreaLayout.bitmapBytes(pfnCount) + 4095) / 4096;
        boolean bitmaps = 1 + sets * bitmapPages <= HintAreaGeometry.DEFAULT_BUDGET_BYTES / 4096;
        assertThat(g.live().encoding()).isEqualTo(bitmaps ? SetEncoding.BITMAP : SetEncoding.EXTENTS);
    }

    @Provide
    Arbitrary<Long> bigSizes() {
        return Arbitraries.longs().between(1, HintAreaLayout.MAX_PFN_COUNT)
                .edgeCases(c -> c.includeOnly(1L, 524_288L, 268_435_456L, HintAreaLayout.MAX_PFN_COUNT));
    }
}
