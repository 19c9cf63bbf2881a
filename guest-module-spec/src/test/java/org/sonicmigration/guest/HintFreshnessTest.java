package org.sonicmigration.guest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Dom0's staleness and torn-streak rules, on a clock the test controls. */
class HintFreshnessTest {

    private static final long MS = 1_000_000L;

    private static HintSnapshot valid(long gen, long periodMs) {
        return new HintSnapshot.Valid(gen, SoftSet.empty(1), Optional.empty(), Set.of(), 0, periodMs);
    }

    @Test
    void aHintIsStaleAfterThreeDeclaredPeriodsWithoutANewGeneration() {
        HintFreshness f = new HintFreshness();
        assertThat(f.observe(valid(2, 500), 0)).isEqualTo(HintFreshness.Verdict.FRESH);
        assertThat(f.observe(valid(2, 500), 1500 * MS)).isEqualTo(HintFreshness.Verdict.FRESH);
        assertThat(f.observe(valid(2, 500), 1501 * MS)).isEqualTo(HintFreshness.Verdict.STALE);
        assertThat(f.observe(valid(4, 500), 1600 * MS)).isEqualTo(HintFreshness.Verdict.FRESH);
    }

    @Test
    void theDeclaredPeriodIsClampedSoAGuestCannotBuyEndlessGrace() {
        HintFreshness f = new HintFreshness();
        f.observe(valid(2, 0xFFFF_FFFFL), 0);
        assertThat(f.observe(valid(2, 0xFFFF_FFFFL), 30_001 * MS)).isEqualTo(HintFreshness.Verdict.STALE);
        HintFreshness g = new HintFreshness();
        g.observe(valid(2, 1), 0);
        assertThat(g.observe(valid(2, 1), 300 * MS)).isEqualTo(HintFreshness.Verdict.FRESH);
        HintFreshness undeclared = new HintFreshness();
        undeclared.observe(valid(2, 0), 0);
        assertThat(undeclared.observe(valid(2, 0), 3001 * MS)).isEqualTo(HintFreshness.Verdict.STALE);
    }

    @Test
    void consecutiveTornReadsEndInGivingUpAndAnyAnswerResetsTheStreak() {
        HintFreshness f = new HintFreshness(3, 3);
        HintSnapshot torn = new HintSnapshot.Torn(8, 1);
        assertThat(f.observe(torn, 0)).isEqualTo(HintFreshness.Verdict.UNUSABLE);
        assertThat(f.observe(torn, 0)).isEqualTo(HintFreshness.Verdict.UNUSABLE);
        assertThat(f.observe(valid(2, 100), 0)).isEqualTo(HintFreshness.Verdict.FRESH);
        assertThat(f.observe(torn, 0)).isEqualTo(HintFreshness.Verdict.UNUSABLE);
        assertThat(f.observe(new HintSnapshot.Invalid(InvalidReason.BAD_MAGIC, "x"), 0)).isEqualTo(HintFreshness.Verdict.UNUSABLE);
        assertThat(f.observe(torn, 0)).isEqualTo(HintFreshness.Verdict.UNUSABLE);
        assertThat(f.observe(torn, 0)).isEqualTo(HintFreshness.Verdict.UNUSABLE);
        assertThat(f.observe(torn, 0)).isEqualTo(HintFreshness.Verdict.GIVE_UP);
    }
}
