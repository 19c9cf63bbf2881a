package org.sonicmigration.guest;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each way an area can break the ABI is reported with its own reason; the ABI's compatibility rules hold. */
class HintAreaReaderTest {

    private static final long PFNS = 10_000;
    private Arena arena;
    private MemorySegment area;
    private HintAreaWriter writer;
    private final SoftSet soft = SoftSet.builder(PFNS).setRange(100, 300).setRange(9000, 9100).build();

    @BeforeEach
    void setUp() {
        arena = Arena.ofConfined();
        HintAreaGeometry g = HintAreaGeometry.plan(PFNS, true);
        area = arena.allocate(g.areaBytes(), HintAreaLayout.PAGE_SIZE);
        writer = HintAreaWriter.initialize(area, g, 1000, 30_000);
        writer.publish(soft, Set.of(HintFlag.FREE), 7);
        writer.request();
        writer.publishFinal(soft, Set.of(HintFlag.FREE), 8);
    }

    @AfterEach
    void tearDown() {
        arena.close();
    }

    private static Consumer<MemorySegment> u64(long offset, long value) {
        return a -> a.set(HintAreaLayout.U64_UNALIGNED, offset, value);
    }

    private static Consumer<MemorySegment> u32(long offset, int value) {
        return a -> a.set(ValueLayout.JAVA_INT_UNALIGNED, offset, value);
    }

    private static final long LIVE_OFF = HintAreaLayout.OFF_LIVE + HintAreaLayout.DESC_OFFSET;
    private static final long LIVE_CAP = HintAreaLayout.OFF_LIVE + HintAreaLayout.DESC_CAPACITY;
    private static final long LIVE_ENC = HintAreaLayout.OFF_LIVE + HintAreaLayout.DESC_ENCODING;
    private static final long LIVE_COUNT = HintAreaLayout.OFF_LIVE + HintAreaLayout.DESC_COUNT;

    static Stream<Arguments> corruptions() {
        return Stream.of(
                Arguments.of("magic", u64(HintAreaLayout.OFF_MAGIC, 0x1234), InvalidReason.BAD_MAGIC),
                Arguments.of("major 2", (Consumer<MemorySegment>) a -> a.set(ValueLayout.JAVA_SHORT_UNALIGNED, HintAreaLayout.OFF_ABI_MAJOR, (short) 2),
                        InvalidReason.UNSUPPORTED_MAJOR),
                Arguments.of("page size 65536", u32(HintAreaLayout.OFF_PAGE_SIZE, 65536), InvalidReason.BAD_PAGE_SIZE),
                Arguments.of("header size 128", u32(HintAreaLayout.OFF_HEADER_SIZE, 128), InvalidReason.BAD_HEADER_SIZE),
                Arguments.of("header size 260", u32(HintAreaLayout.OFF_HEADER_SIZE, 260), InvalidReason.BAD_HEADER_SIZE),
                Arguments.of("area pages 0", u32(HintAreaLayout.OFF_AREA_PAGES, 0), InvalidReason.BAD_AREA_SIZE),
                Arguments.of("area pages beyond the mapping", u32(HintAreaLayout.OFF_AREA_PAGES, 100), InvalidReason.BAD_AREA_SIZE),
                Arguments.of("area pages beyond the limit", u32(HintAreaLayout.OFF_AREA_PAGES, -1), InvalidReason.BAD_AREA_SIZE),
                Arguments.of("pfn count 0", u64(HintAreaLayout.OFF_PFN_COUNT, 0), InvalidReason.PFN_COUNT_MISMATCH),
                Arguments.of("pfn count above the domain", u64(HintAreaLayout.OFF_PFN_COUNT, PFNS + 1), InvalidReason.PFN_COUNT_MISMATCH),
                Arguments.of("pfn count 2^64-1", u64(HintAreaLayout.OFF_PFN_COUNT, -1), InvalidReason.PFN_COUNT_MISMATCH),
                Arguments.of("live encoding unknown", u32(LIVE_ENC, 9), InvalidReason.UNSUPPORTED_ENCODING),
                Arguments.of("live absent", u32(LIVE_ENC, 0), InvalidReason.SET_ABSENT),
                Arguments.of("live misaligned", u64(LIVE_OFF, 4096 + 4), InvalidReason.SECTION_MISALIGNED),
                Arguments.of("live inside the header", u64(LIVE_OFF, 128), InvalidReason.SECTION_OUT_OF_BOUNDS),
                Arguments.of("live past the area", u64(LIVE_OFF, 1L << 40), InvalidReason.SECTION_OUT_OF_BOUNDS),
                Arguments.of("live offset 2^64-8", u64(LIVE_OFF, -8), InvalidReason.SECTION_OUT_OF_BOUNDS),
                Arguments.of("live capacity wraps", u64(LIVE_CAP, -4096), InvalidReason.SECTION_OUT_OF_BOUNDS),
                Arguments.of("live bitmap too small", u64(LIVE_CAP, 8), InvalidReason.SECTION_TOO_SMALL),
                Arguments.of("live over final", u64(LIVE_OFF, 4096 * 2), InvalidReason.SECTIONS_OVERLAP),
                Arguments.of("bitmap count wrong", u64(LIVE_COUNT, 3), InvalidReason.COUNT_MISMATCH));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptions")
    void eachCorruptionHasItsOwnReason(String what, Consumer<MemorySegment> corrupt, InvalidReason reason) {
        assertThat(new HintAreaReader(PFNS).read(area)).isInstanceOf(HintSnapshot.Valid.class);
        corrupt.accept(area);
        HintSnapshot s = new HintAreaReader(PFNS).read(area);
        assertThat(s).isInstanceOfSatisfying(HintSnapshot.Invalid.class, i -> {
            assertThat(i.reason()).isEqualTo(reason);
            assertThat(i.detail()).isNotBlank().doesNotContain("\n");
        });
    }

    @Test
    void anAreaShorterThanTheHeaderIsTooSmall() {
        HintSnapshot s = new HintAreaReader(PFNS).read(area.asSlice(0, 255));
        assertThat(s).isInstanceOfSatisfying(HintSnapshot.Invalid.class, i -> assertThat(i.reason()).isEqualTo(InvalidReason.AREA_TOO_SMALL));
        assertThat(new HintAreaReader(PFNS).readFinal(area.asSlice(0, 10), new HintAreaReader(PFNS).beginHandshake(area.asSlice(0, 10))))
                .isInstanceOfSatisfying(FinalRead.Invalid.class, i -> assertThat(i.reason()).isEqualTo(InvalidReason.AREA_TOO_SMALL));
    }

    @Test
    void extentListsAreCheckedForRangeOrderAndCapacity() {
        long page = HintAreaLayout.PAGE_SIZE;
        HintAreaGeometry g = HintAreaGeometry.of(PFNS, new SetPlacement(SetEncoding.EXTENTS, page, 64),
                new SetPlacement(SetEncoding.EXTENTS, page + 64, 64), SetPlacement.ABSENT);
        MemorySegment a = arena.allocate(g.areaBytes(), 8);
        HintAreaWriter.initialize(a, g, 0, 0).publish(SoftSet.builder(PFNS).setRange(10, 20).setRange(30, 40).build(), Set.of(), 0);
        HintAreaReader r = new HintAreaReader(PFNS);
        assertThat(r.read(a)).isInstanceOf(HintSnapshot.Valid.class);
        long e1 = page + HintAreaLayout.EXTENT_SIZE;

        a.set(HintAreaLayout.U64_UNALIGNED, e1 + HintAreaLayout.EXTENT_START, 15);   // overlaps [10, 20)
        assertThat(reason(r.read(a))).isEqualTo(InvalidReason.EXTENTS_UNSORTED);
        a.set(HintAreaLayout.U64_UNALIGNED, e1 + HintAreaLayout.EXTENT_START, 5);    // before it
        assertThat(reason(r.read(a))).isEqualTo(InvalidReason.EXTENTS_UNSORTED);
        a.set(HintAreaLayout.U64_UNALIGNED, e1 + HintAreaLayout.EXTENT_START, PFNS - 5);  // reaches past pfn_count
        assertThat(reason(r.read(a))).isEqualTo(InvalidReason.EXTENT_OUT_OF_RANGE);
        a.set(HintAreaLayout.U64_UNALIGNED, e1 + HintAreaLayout.EXTENT_START, 30);
        a.set(HintAreaLayout.U64_UNALIGNED, e1 + HintAreaLayout.EXTENT_LEN, 0);      // empty
        assertThat(reason(r.read(a))).isEqualTo(InvalidReason.EXTENT_OUT_OF_RANGE);
        a.set(HintAreaLayout.U64_UNALIGNED, e1 + HintAreaLayout.EXTENT_LEN, -1);     // 2^64-1 long
        assertThat(reason(r.read(a))).isEqualTo(InvalidReason.EXTENT_OUT_OF_RANGE);
        a.set(HintAreaLayout.U64_UNALIGNED, e1 + HintAreaLayout.EXTENT_LEN, 10);
        a.set(HintAreaLayout.U64_UNALIGNED, HintAreaLayout.OFF_LIVE + HintAreaLayout.DESC_COUNT, 5); // 64 bytes hold 4
        assertThat(reason(r.read(a))).isEqualTo(InvalidReason.EXTENT_COUNT_OVER_CAPACITY);
        a.set(HintAreaLayout.U64_UNALIGNED, HintAreaLayout.OFF_LIVE + HintAreaLayout.DESC_CAPACITY, 60);
        assertThat(reason(r.read(a))).isEqualTo(InvalidReason.SECTION_TOO_SMALL);
    }

    @Test
    void aHigherMinorWithUnknownFlagsAndAnUnknownOptionalSectionIsAccepted() {
        a16(HintAreaLayout.OFF_ABI_MINOR, 7);
        a64(HintAreaLayout.OFF_LIVE_FLAGS, HintFlag.FREE.mask() | (1L << 50));
        // a referenced section in an encoding from the future: ignored, and not even bounds-checked
        area.set(ValueLayout.JAVA_INT_UNALIGNED, HintAreaLayout.OFF_REFERENCED + HintAreaLayout.DESC_ENCODING, 77);
        a64(HintAreaLayout.OFF_REFERENCED + HintAreaLayout.DESC_OFFSET, -1);
        // a later minor may grow the header: sections start after header_size
        area.set(ValueLayout.JAVA_INT_UNALIGNED, HintAreaLayout.OFF_HEADER_SIZE, 512);
        HintSnapshot s = new HintAreaReader(PFNS).read(area);
        assertThat(s).isInstanceOfSatisfying(HintSnapshot.Valid.class, v -> {
            assertThat(v.flags()).containsExactly(HintFlag.FREE);
            assertThat(v.soft()).isEqualTo(soft);
            assertThat(v.referenced()).isEmpty();
        });
    }

    @Test
    void anUnknownFinalEncodingSpoilsOnlyTheFinalRead() {
        area.set(ValueLayout.JAVA_INT_UNALIGNED, HintAreaLayout.OFF_FINAL_SET + HintAreaLayout.DESC_ENCODING, 5);
        HintAreaReader r = new HintAreaReader(PFNS);
        assertThat(r.read(area)).isInstanceOf(HintSnapshot.Valid.class);
        HandshakeTicket t = new HandshakeTicket(new HandshakeWord(0, HandshakeState.IDLE, HandshakeFailure.NONE));
        assertThat(r.readFinal(area, t)).isInstanceOfSatisfying(FinalRead.Invalid.class,
                i -> assertThat(i.reason()).isEqualTo(InvalidReason.UNSUPPORTED_ENCODING));
    }

    @Test
    void referencedBitsOutsideTheSoftSetAreDropped() {
        SoftSet ref = SoftSet.builder(PFNS).setRange(0, 150).build();
        writer.publish(soft, ref, Set.of(HintFlag.CLEAN_CACHE), 9);
        HintSnapshot.Valid v = (HintSnapshot.Valid) new HintAreaReader(PFNS).read(area);
        assertThat(v.referenced()).contains(SoftSet.builder(PFNS).setRange(100, 150).build());
        assertThat(v.flags()).containsExactlyInAnyOrder(HintFlag.CLEAN_CACHE, HintFlag.REFERENCED);
    }

    @Test
    void anEmptyJustInitialisedAreaIsAValidEmptyHint() {
        HintAreaGeometry g = HintAreaGeometry.plan(PFNS, false);
        MemorySegment a = arena.allocate(g.areaBytes(), 8);
        HintAreaWriter.initialize(a, g, 0, 0);
        HintSnapshot.Valid v = (HintSnapshot.Valid) new HintAreaReader(PFNS).read(a);
        assertThat(v.generation()).isZero();
        assertThat(v.soft().isEmpty()).isTrue();
    }

    @Test
    void aTornReadIsRetriedAndTheBoundIsHonoured() {
        a64(HintAreaLayout.OFF_GEN, 3);
        assertThat(new HintAreaReader(PFNS, RetryPolicy.spinning(5)).read(area)).isEqualTo(new HintSnapshot.Torn(5, 3));
        assertThat(new HintAreaReader(PFNS, new RetryPolicy(3, java.time.Duration.ofNanos(1000), java.time.Duration.ofNanos(4000)))
                .read(area)).isEqualTo(new HintSnapshot.Torn(3, 3));
    }

    @Test
    void theDefaultRetryPolicyWaitsAsTheSpecSays() {
        long total = 0;
        for (int attempt = 1; attempt <= RetryPolicy.DEFAULT.maxAttempts(); attempt++) {
            total += RetryPolicy.DEFAULT.backoffNanos(attempt);
        }
        assertThat(RetryPolicy.DEFAULT.backoffNanos(1)).isZero();
        assertThat(total).isEqualTo((20 + 40 + 80 + 160 + 320 + 640 + 1280) * 1000L);
        assertThat(new RetryPolicy(20, java.time.Duration.ofNanos(1000), java.time.Duration.ofNanos(5000)).backoffNanos(19)).isEqualTo(5000);
    }

    @Test
    void theSizeMathOfTheSpecHolds() {
        assertThat(HintAreaLayout.bitmapBytes((2L << 30) / 4096)).isEqualTo(64 * 1024);
        assertThat(HintAreaLayout.bitmapBytes((1L << 40) / 4096)).isEqualTo(32L << 20);
        HintAreaGeometry twoGiB = HintAreaGeometry.plan((2L << 30) / 4096, true);
        assertThat(twoGiB.live().encoding()).isEqualTo(SetEncoding.BITMAP);
        assertThat(twoGiB.areaPages()).isEqualTo(1 + 3 * 16);
        HintAreaGeometry oneTiB = HintAreaGeometry.plan((1L << 40) / 4096, false);
        assertThat(oneTiB.live().encoding()).isEqualTo(SetEncoding.EXTENTS);
        assertThat(oneTiB.areaBytes()).isLessThanOrEqualTo(HintAreaGeometry.DEFAULT_BUDGET_BYTES);
        assertThat(oneTiB.live().extentCapacity()).isEqualTo(2047L * 4096 / 16);
    }

    private void a64(long off, long v) {
        area.set(HintAreaLayout.U64_UNALIGNED, off, v);
    }

    private void a16(long off, int v) {
        area.set(ValueLayout.JAVA_SHORT_UNALIGNED, off, (short) v);
    }

    private static InvalidReason reason(HintSnapshot s) {
        assertThat(s).isInstanceOf(HintSnapshot.Invalid.class);
        return ((HintSnapshot.Invalid) s).reason();
    }
}
