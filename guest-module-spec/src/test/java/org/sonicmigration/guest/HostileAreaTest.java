package org.sonicmigration.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.lang.foreign.Arena;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Areas a hostile or broken guest could present: random bytes, a valid area with any header field set to
 * any value, a generation that never settles. The reader must answer with a result, never an exception,
 * and allocate no more than its stated bound, which depends on the expected domain only.
 */
class HostileAreaTest {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    /** Records, messages and boxed values on top of the bitmaps; far below any bitmap a trusted claim would buy. */
    private static final long SLACK = 64 * 1024;

    /** One header field: offset and width. */
    record Field(String name, long offset, long size) {
    }

    static final List<Field> FIELDS = fields(HintAreaLayout.HEADER, "", 0);

    private static List<Field> fields(GroupLayout g, String prefix, long base) {
        List<Field> out = new ArrayList<>();
        long off = 0;
        for (MemoryLayout m : g.memberLayouts()) {
            if (m instanceof GroupLayout inner) {
                out.addAll(fields(inner, prefix + m.name().orElse("") + ".", base + off));
            } else if (m instanceof ValueLayout) {
                out.add(new Field(prefix + m.name().orElse("?"), base + off, m.byteSize()));
            }
            off += m.byteSize();
        }
        return out;
    }

    private static Gen<Long> nastyValues() {
        return Generate.oneOf(
                arbitrary().pick(0L, 1L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 36, (1L << 36) + 1, 1L << 32, 4096L, 4095L,
                        256L, 255L, 7L, 16L, 0xFFFF_FFFFL, 16384L, 16385L),
                longs().all(),
                longs().between(0, 1 << 20));
    }

    /** Which header fields to overwrite: the first with {@code value}, the others with values drawn from {@code seed}. */
    record Poke(int fieldIndex, long value, int fieldsToBreak, long seed) {
    }

    private static long allocatedBy(Runnable r) {
        long tid = Thread.currentThread().threadId();
        long before = THREADS.getThreadAllocatedBytes(tid);
        r.run();
        return THREADS.getThreadAllocatedBytes(tid) - before;
    }

    /** Reads live and final twice (the second time measured, after warm-up) and checks results and the bound. */
    private static void readSafely(MemorySegment area, long expectedPfns) {
        HintAreaReader reader = new HintAreaReader(expectedPfns, RetryPolicy.spinning(4));
        HandshakeTicket ticket = new HandshakeTicket(new HandshakeWord(0, HandshakeState.IDLE, HandshakeFailure.NONE));
        HintSnapshot[] live = new HintSnapshot[1];
        FinalRead[] fin = new FinalRead[1];
        reader.read(area);
        reader.readFinal(area, ticket);
        long allocated = allocatedBy(() -> {
            live[0] = reader.read(area);
            fin[0] = reader.readFinal(area, ticket);
        });
        assertThat(allocated).as("bytes allocated for a %d-PFN domain", expectedPfns)
                .isLessThanOrEqualTo(2 * reader.allocationBoundBytes() + SLACK);
        if (live[0] instanceof HintSnapshot.Valid v) {
            assertThat(v.soft().size()).isEqualTo(expectedPfns);
            v.referenced().ifPresent(r -> assertThat(r.isSubsetOf(v.soft())).isTrue());
        }
        if (fin[0] instanceof FinalRead.Ready r) {
            assertThat(r.finalSet().size()).isEqualTo(expectedPfns);
        }
    }

    @Test
    void randomBytesAreRejected() {
        qt().withExamples(300).forAll(integers().between(0, 3 * 4096), longs().all(), longs().between(1, 1 << 22))
                .checkAssert(HostileAreaTest::randomBytesAreRejected);
    }

    private static void randomBytesAreRejected(int size, long seed, long expectedPfns) {
        byte[] bytes = new byte[size];
        new SplittableRandom(seed).nextBytes(bytes);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment area = arena.allocate(Math.max(1, size), 8).asSlice(0, size);
            area.copyFrom(MemorySegment.ofArray(bytes));
            HintSnapshot s = new HintAreaReader(expectedPfns, RetryPolicy.spinning(4)).read(area);
            assertThat(s).isInstanceOfAny(HintSnapshot.Invalid.class, HintSnapshot.Torn.class);
            readSafely(area, expectedPfns);
        }
    }

    @Test
    void randomBytesOnAHeapSegmentAreRejectedToo() {
        qt().withExamples(300).forAll(integers().between(0, 2 * 4096), longs().all())
                .checkAssert(HostileAreaTest::randomBytesOnAHeapSegmentAreRejectedToo);
    }

    private static void randomBytesOnAHeapSegmentAreRejectedToo(int size, long seed) {
        byte[] bytes = new byte[size];
        new SplittableRandom(seed).nextBytes(bytes);
        HintSnapshot s = new HintAreaReader(1 << 16, RetryPolicy.spinning(4)).read(MemorySegment.ofArray(bytes));
        assertThat(s).isInstanceOfAny(HintSnapshot.Invalid.class, HintSnapshot.Torn.class);
        readSafely(MemorySegment.ofArray(bytes), 1 << 16);
    }

    @Test
    void anyHeaderFieldSetToAnyValueNeverBreaksTheReader() {
        Gen<Poke> pokes = integers().between(0, 200).zip(nastyValues(), integers().between(1, 3), longs().all(), Poke::new);
        qt().withExamples(1000).forAll(pokes, booleans().all())
                .checkAssert(HostileAreaTest::anyHeaderFieldSetToAnyValueNeverBreaksTheReader);
    }

    private static void anyHeaderFieldSetToAnyValueNeverBreaksTheReader(Poke poke, boolean extents) {
        int fieldIndex = poke.fieldIndex();
        long value = poke.value();
        int fieldsToBreak = poke.fieldsToBreak();
        long seed = poke.seed();
        long pfns = 1 << 16;
        HintAreaGeometry g = extents
                ? HintAreaGeometry.of(pfns, new SetPlacement(SetEncoding.EXTENTS, 4096, 4096),
                        new SetPlacement(SetEncoding.EXTENTS, 8192, 4096), new SetPlacement(SetEncoding.EXTENTS, 12288, 4096))
                : HintAreaGeometry.plan(pfns, true);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment area = arena.allocate(g.areaBytes(), HintAreaLayout.PAGE_SIZE);
            HintAreaWriter w = HintAreaWriter.initialize(area, g, 100, 100);
            SoftSet s = SoftSet.builder(pfns).setRange(10, 200).setRange(5000, 5001).build();
            w.publish(s, s, Set.of(HintFlag.FREE), 1);
            w.request();
            w.publishFinal(s, Set.of(HintFlag.FREE), 2);
            SplittableRandom r = new SplittableRandom(seed);
            for (int i = 0; i < fieldsToBreak; i++) {
                Field f = FIELDS.get((fieldIndex + i * r.nextInt(1, FIELDS.size())) % FIELDS.size());
                poke(area, f, i == 0 ? value : r.nextLong());
            }
            readSafely(area, pfns);
        }
    }

    @Test
    void hostileExtentListsAreRejectedNotObeyed() {
        qt().withExamples(100).forAll(longs().all(), integers().between(0, 255))
                .checkAssert(HostileAreaTest::hostileExtentListsAreRejectedNotObeyed);
    }

    private static void hostileExtentListsAreRejectedNotObeyed(long seed, int count) {
        long pfns = 4096;
        HintAreaGeometry g = HintAreaGeometry.of(pfns, new SetPlacement(SetEncoding.EXTENTS, 4096, 4096),
                new SetPlacement(SetEncoding.EXTENTS, 8192, 4096), SetPlacement.ABSENT);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment area = arena.allocate(g.areaBytes(), HintAreaLayout.PAGE_SIZE);
            HintAreaWriter.initialize(area, g, 0, 0);
            SplittableRandom r = new SplittableRandom(seed);
            for (long at = 4096; at < 3 * 4096; at += 8) {
                area.set(HintAreaLayout.U64_UNALIGNED, at, r.nextBoolean() ? r.nextLong(0, 2 * pfns) : r.nextLong());
            }
            area.set(HintAreaLayout.U64_UNALIGNED, HintAreaLayout.OFF_LIVE + HintAreaLayout.DESC_COUNT, count);
            area.set(HintAreaLayout.U64_UNALIGNED, HintAreaLayout.OFF_FINAL_SET + HintAreaLayout.DESC_COUNT, count);
            area.set(HintAreaLayout.U64_UNALIGNED, HintAreaLayout.OFF_HANDSHAKE,
                    new HandshakeWord(1, HandshakeState.FINAL_READY, HandshakeFailure.NONE).encode());
            readSafely(area, pfns);
            HintSnapshot s = new HintAreaReader(pfns).read(area);
            if (count >= 16) {
                // sixteen random extents in range and in order: odds far below one in 10^20
                assertThat(s).isInstanceOf(HintSnapshot.Invalid.class);
            }
        }
    }

    @Test
    void aGenerationThatStaysOddEndsAsTornAfterTheBoundedAttempts() {
        qt().withExamples(50).forAll(integers().between(1, 50), longs().between(0, 1000))
                .checkAssert(HostileAreaTest::aGenerationThatStaysOddEndsAsTornAfterTheBoundedAttempts);
    }

    private static void aGenerationThatStaysOddEndsAsTornAfterTheBoundedAttempts(int attempts, long half) {
        HintAreaGeometry g = HintAreaGeometry.plan(1000, false);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment area = arena.allocate(g.areaBytes(), 8);
            HintAreaWriter.initialize(area, g, 0, 0);
            area.set(HintAreaLayout.U64_UNALIGNED, HintAreaLayout.OFF_GEN, 2 * half + 1);
            HintSnapshot s = new HintAreaReader(1000, RetryPolicy.spinning(attempts)).read(area);
            assertThat(s).isEqualTo(new HintSnapshot.Torn(attempts, 2 * half + 1));
        }
    }

    @Test
    void aHugeClaimedPfnCountIsAMismatchNotAnAllocation() {
        qt().withExamples(50).forAll(longs().between(1 << 20, Long.MAX_VALUE))
                .checkAssert(HostileAreaTest::aHugeClaimedPfnCountIsAMismatchNotAnAllocation);
    }

    private static void aHugeClaimedPfnCountIsAMismatchNotAnAllocation(long claimed) {
        long expected = 1 << 19;
        HintAreaGeometry g = HintAreaGeometry.plan(expected, false);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment area = arena.allocate(g.areaBytes(), 8);
            HintAreaWriter.initialize(area, g, 0, 0).publish(SoftSet.empty(expected), Set.of(), 0);
            area.set(HintAreaLayout.U64_UNALIGNED, HintAreaLayout.OFF_PFN_COUNT, claimed);
            assertThat(new HintAreaReader(expected).read(area)).isInstanceOfSatisfying(HintSnapshot.Invalid.class,
                    i -> assertThat(i.reason()).isEqualTo(InvalidReason.PFN_COUNT_MISMATCH));
            readSafely(area, expected);
        }
    }

    private static void poke(MemorySegment area, Field f, long value) {
        switch ((int) f.size()) {
            case 8 -> area.set(HintAreaLayout.U64_UNALIGNED, f.offset(), value);
            case 4 -> area.set(ValueLayout.JAVA_INT_UNALIGNED, f.offset(), (int) value);
            case 2 -> area.set(ValueLayout.JAVA_SHORT_UNALIGNED, f.offset(), (short) value);
            default -> throw new AssertionError(f);
        }
    }
}
