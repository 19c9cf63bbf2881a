package org.sonicmigration.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/** What the Java writer publishes, the Java reader reads back unchanged, in both encodings. */
class RoundTripTest {

    /** A soft set with a second set of the same size (used as referenced or final). */
    record Pair(SoftSet a, SoftSet b) {
    }

    private static Gen<Pair> pairs() {
        return SoftSetGenerators.sizes(4000).flatMap(size ->
                SoftSetGenerators.softSetsOfSize(size).zip(SoftSetGenerators.softSetsOfSize(size), Pair::new));
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

    @Test
    void liveAndReferencedSetsRoundTrip() {
        qt().withExamples(150).forAll(pairs(), booleans().all(), booleans().all())
                .checkAssert(RoundTripTest::liveAndReferencedSetsRoundTrip);
    }

    private static void liveAndReferencedSetsRoundTrip(Pair p, boolean extents, boolean withReferenced) {
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

    @Test
    void finalSetRoundTripsOnlyForTheAnsweringHandshake() {
        qt().withExamples(150).forAll(pairs(), booleans().all())
                .checkAssert(RoundTripTest::finalSetRoundTripsOnlyForTheAnsweringHandshake);
    }

    private static void finalSetRoundTripsOnlyForTheAnsweringHandshake(Pair p, boolean extents) {
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

    @Test
    void aTooSmallExtentSectionKeepsTheLongestRunsAndSaysSo() {
        qt().withExamples(150).forAll(pairs(), integers().between(1, 8))
                .checkAssert(RoundTripTest::aTooSmallExtentSectionKeepsTheLongestRunsAndSaysSo);
    }

    private static void aTooSmallExtentSectionKeepsTheLongestRunsAndSaysSo(Pair p, int capacity) {
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

    @Test
    void aGuestSmallerThanTheDomainLeavesTheRestHard() {
        qt().withExamples(50).forAll(pairs(), integers().between(1, 500))
                .checkAssert(RoundTripTest::aGuestSmallerThanTheDomainLeavesTheRestHard);
    }

    private static void aGuestSmallerThanTheDomainLeavesTheRestHard(Pair p, int extra) {
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

    @Test
    void plannedGeometriesAreValidAndFollowTheBudgetRule() {
        qt().withExamples(30).forAll(bigSizes(), booleans().all())
                .checkAssert(RoundTripTest::plannedGeometriesAreValidAndFollowTheBudgetRule);
    }

    private static void plannedGeometriesAreValidAndFollowTheBudgetRule(long pfnCount, boolean withReferenced) {
        HintAreaGeometry g = HintAreaGeometry.plan(pfnCount, withReferenced);
        assertThat(g.areaBytes()).isLessThanOrEqualTo(HintAreaGeometry.DEFAULT_BUDGET_BYTES);
        int sets = withReferenced ? 3 : 2;
        long bitmapPages = (HintAreaLayout.bitmapBytes(pfnCount) + 4095) / 4096;
        boolean bitmaps = 1 + sets * bitmapPages <= HintAreaGeometry.DEFAULT_BUDGET_BYTES / 4096;
        assertThat(g.live().encoding()).isEqualTo(bitmaps ? SetEncoding.BITMAP : SetEncoding.EXTENTS);
    }

    /** Any count, and now and then the smallest, a 2 GiB guest's, a 1 TiB guest's or the largest allowed. */
    private static Gen<Long> bigSizes() {
        return Generate.frequency(
                org.quicktheories.api.Pair.of(3, longs().between(1, HintAreaLayout.MAX_PFN_COUNT)),
                org.quicktheories.api.Pair.of(1, arbitrary().pick(1L, 524_288L, 268_435_456L, HintAreaLayout.MAX_PFN_COUNT)));
    }
}
