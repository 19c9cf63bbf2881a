package org.sonicmigration.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;

import java.lang.foreign.MemorySegment;
import java.util.BitSet;
import org.junit.jupiter.api.Test;

/** {@link SoftSet} against {@link BitSet} as a model, and its word layout against the ABI's. */
class SoftSetTest {

    private static final int TRIES = 200;

    private static BitSet model(SoftSet s) {
        BitSet b = new BitSet();
        for (long p = 0; p < s.size(); p++) {
            if (s.contains(p)) {
                b.set((int) p);
            }
        }
        return b;
    }

    @Test
    void queriesAgreeWithABitSetModel() {
        qt().withExamples(TRIES).forAll(SoftSetGenerators.softSets(3000)).checkAssert(SoftSetTest::queriesAgreeWithABitSetModel);
    }

    private static void queriesAgreeWithABitSetModel(SoftSet s) {
        BitSet m = model(s);
        assertThat(s.cardinality()).isEqualTo(m.cardinality());
        assertThat(s.isEmpty()).isEqualTo(m.isEmpty());
        for (long from = 0; from <= s.size(); from += 1 + from / 3) {
            int ms = m.nextSetBit((int) from);
            assertThat(s.nextSetBit(from)).isEqualTo(ms < 0 || ms >= s.size() ? -1 : ms);
            assertThat(s.nextClearBit(from)).isEqualTo(Math.min(s.size(), m.nextClearBit((int) from)));
        }
    }

    @Test
    void runsCoverExactlyTheMembersInOrder() {
        qt().withExamples(TRIES).forAll(SoftSetGenerators.softSets(3000)).checkAssert(SoftSetTest::runsCoverExactlyTheMembersInOrder);
    }

    private static void runsCoverExactlyTheMembersInOrder(SoftSet s) {
        SoftSet.Builder rebuilt = SoftSet.builder(s.size());
        long[] prevEnd = {-1};
        long[] runs = {0};
        s.forEachRun((start, len) -> {
            assertThat(len).isPositive();
            assertThat(start).isGreaterThan(prevEnd[0]); // maximal: a gap between runs
            prevEnd[0] = start + len;
            rebuilt.setRange(start, start + len);
            runs[0]++;
        });
        assertThat(rebuilt.build()).isEqualTo(s);
        assertThat(s.runCount()).isEqualTo(runs[0]);
    }

    @Test
    void wordsAndSegmentUseTheAbiLayout() {
        qt().withExamples(TRIES).forAll(SoftSetGenerators.softSets(3000)).checkAssert(SoftSetTest::wordsAndSegmentUseTheAbiLayout);
    }

    private static void wordsAndSegmentUseTheAbiLayout(SoftSet s) {
        long[] words = s.words();
        MemorySegment seg = s.segment();
        assertThat(seg.byteSize()).isEqualTo(8L * words.length);
        for (long p = 0; p < s.size(); p++) {
            boolean inWord = (words[(int) (p / 64)] >>> (p % 64) & 1) != 0;
            byte b = seg.get(java.lang.foreign.ValueLayout.JAVA_BYTE, p / 8);
            boolean inByte = ((b >>> (p % 8)) & 1) != 0; // little-endian: pfn p is bit p%8 of byte p/8
            assertThat(inWord).isEqualTo(s.contains(p));
            assertThat(inByte).isEqualTo(s.contains(p));
        }
        assertThat(SoftSet.fromWords(s.size(), words)).isEqualTo(s);
        words[0] ^= 1;
        assertThat(s.words()[0]).isNotEqualTo(words[0]); // words() is a copy
    }

    @Test
    void fromWordsDropsBitsBeyondTheSize() {
        SoftSet s = SoftSet.fromWords(3, new long[] {-1L});
        assertThat(s.cardinality()).isEqualTo(3);
        assertThat(s).isEqualTo(SoftSet.of(3, 0, 1, 2));
    }

    @Test
    void outOfRangeUseIsRejectedWithAClearMessage() {
        assertThatThrownBy(() -> SoftSet.of(10, 10)).isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("pfn 10");
        assertThatThrownBy(() -> SoftSet.empty(HintAreaLayout.MAX_PFN_COUNT + 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SoftSet.fromWords(65, new long[1])).hasMessageContaining("2 words");
    }
}
