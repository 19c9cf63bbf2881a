package org.sonicmigration.xen.backend;

import org.junit.jupiter.api.Test;
import org.sonicmigration.xen.backend.StrictDecimal.Refused;
import org.sonicmigration.xen.backend.StrictDecimal.Value;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

class StrictDecimalTest {

    @Test
    void acceptsOnlyTheCanonicalFormWithinBounds() {
        assertThat(StrictDecimal.parse("0", 0, 10)).isEqualTo(new Value(0));
        assertThat(StrictDecimal.parse("16384", 1, 16384)).isEqualTo(new Value(16384));
        assertThat(StrictDecimal.parse("4294967295", 0, 0xffff_ffffL)).isEqualTo(new Value(0xffff_ffffL));
    }

    @Test
    void refusesEachBrokenRuleWithItsOwnReason() {
        assertThat(StrictDecimal.parse("", 0, 10)).isEqualTo(new Refused("is empty"));
        assertThat(StrictDecimal.parse("+1", 0, 10)).isEqualTo(new Refused("has a sign"));
        assertThat(StrictDecimal.parse("-1", 0, 10)).isEqualTo(new Refused("has a sign"));
        assertThat(StrictDecimal.parse(" 1", 0, 10)).isEqualTo(new Refused("has white space"));
        assertThat(StrictDecimal.parse("1\n", 0, 10)).isEqualTo(new Refused("has white space"));
        assertThat(StrictDecimal.parse("0x10", 0, 100)).isEqualTo(new Refused("is not a decimal number"));
        assertThat(StrictDecimal.parse("\u0663", 0, 10)).as("an Arabic-Indic three is a digit to Java, not to us")
                .isEqualTo(new Refused("is not a decimal number"));
        assertThat(StrictDecimal.parse("01", 0, 10)).isEqualTo(new Refused("has a leading zero"));
        assertThat(StrictDecimal.parse("00", 0, 10)).isEqualTo(new Refused("has a leading zero"));
        assertThat(StrictDecimal.parse("16385", 1, 16384)).isEqualTo(new Refused("is above 16384"));
        assertThat(StrictDecimal.parse("0", 1, 16384)).isEqualTo(new Refused("is below 1"));
    }

    @Test
    void hugeNumbersAreAboveTheBoundNotAnOverflow() {
        assertThat(StrictDecimal.parse("4294967296", 0, 0xffff_ffffL)).isEqualTo(new Refused("is above 4294967295"));
        assertThat(StrictDecimal.parse("18446744073709551617", 0, Long.MAX_VALUE))
                .isEqualTo(new Refused("is above " + Long.MAX_VALUE));
        assertThat(StrictDecimal.parse("9".repeat(5000), 0, 10)).isEqualTo(new Refused("is above 10"));
    }

    @Test
    void everyNumberInBoundsReadsBackAndEveryOtherIsRefused() {
        qt().withExamples(2000).forAll(longs().between(0, 1L << 40)).checkAssert(n -> {
            long max = 0xffff_ffffL;
            StrictDecimal.Result r = StrictDecimal.parse(Long.toString(n), 1, max);
            if (n >= 1 && n <= max) {
                assertThat(r).isEqualTo(new Value(n));
            } else {
                assertThat(r).isInstanceOf(Refused.class);
            }
        });
    }
}
