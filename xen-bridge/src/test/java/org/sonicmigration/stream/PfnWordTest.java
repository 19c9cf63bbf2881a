package org.sonicmigration.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PfnWordTest {

    @Test
    void encodedWordsDecodeToTheirPfnAndType() {
        qt().withExamples(1000).forAll(longs().between(0, PfnWord.MAX_PFN), arbitrary().enumValues(PageType.class))
                .checkAssert((pfn, type) -> {
                    try {
                        encodedWordsDecodeToTheirPfnAndType(pfn, type);
                    } catch (StreamFormatException e) {
                        throw new AssertionError(e);
                    }
                });
    }

    private static void encodedWordsDecodeToTheirPfnAndType(long pfn, PageType type) throws StreamFormatException {
        long word = PfnWord.encode(pfn, type);
        assertThat(PfnWord.pfn(word)).isEqualTo(pfn);
        assertThat(PfnWord.type(word)).isEqualTo(type);
        assertThat(word >>> 60).isEqualTo(type.code());
        assertThat(word & PfnWord.RESERVED_MASK).isZero();
    }

    @Test
    void onlyNormalPagesAndPageTablesCarryData() {
        assertThat(Arrays.stream(PageType.values()).filter(PageType::hasData))
                .containsExactly(PageType.NOTAB, PageType.L1TAB, PageType.L2TAB, PageType.L3TAB, PageType.L4TAB,
                        PageType.L1TAB_PINNED, PageType.L2TAB_PINNED, PageType.L3TAB_PINNED, PageType.L4TAB_PINNED);
    }

    @Test
    void codesFiveToEightAndOutOfRangeAreInvalid() throws StreamFormatException {
        for (int code = 5; code <= 8; code++) {
            int c = code;
            assertThatThrownBy(() -> PageType.fromCode(c)).isInstanceOf(StreamFormatException.class)
                    .hasMessage("invalid page type 0x" + c);
        }
        assertThatThrownBy(() -> PageType.fromCode(16)).isInstanceOf(StreamFormatException.class);
        assertThatThrownBy(() -> PageType.fromCode(-1)).isInstanceOf(StreamFormatException.class);
        assertThat(PageType.fromCode(0xE)).isEqualTo(PageType.XALLOC);
        assertThat(PageType.fromCode(0xF)).isEqualTo(PageType.XTAB);
    }

    @Test
    void wordsWithReservedBitsOrInvalidTypesAreRefused() {
        assertThatThrownBy(() -> PfnWord.type(1L << 52 | 5)).isInstanceOf(StreamFormatException.class)
                .hasMessage("reserved bits set in pfn word 0x10000000000005");
        assertThatThrownBy(() -> PfnWord.type(7L << 60)).isInstanceOf(StreamFormatException.class)
                .hasMessage("invalid page type 7 in pfn word 0x7000000000000000");
        assertThatThrownBy(() -> PfnWord.encode(-1, PageType.NOTAB)).isInstanceOf(IllegalArgumentException.class);
    }
}
