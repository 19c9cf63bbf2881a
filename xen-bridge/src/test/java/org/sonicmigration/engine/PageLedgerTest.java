package org.sonicmigration.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.sonicmigration.spi.DirtyLog;
import org.sonicmigration.spi.PageBitmap;

/** The set algebra of each step on bitmaps alone, one small frame space per rule. */
class PageLedgerTest {
    static final int N = 16;

    static PageBitmap bits(int... pfns) {
        PageBitmap b = new PageBitmap(N);
        for (int p : pfns) {
            b.set(p);
        }
        return b;
    }

    /** A dirty log that reports the given pages once. */
    static DirtyLog reporting(int... pfns) {
        return new DirtyLog() {
            @Override
            public void fetchAndClean(PageBitmap into) {
                into.copyFrom(bits(pfns));
            }

            @Override
            public void peek(PageBitmap into) {
                into.copyFrom(bits(pfns));
            }

            @Override
            public void close() {}
        };
    }

    /** A ledger after one full live pass whose fetch-and-clean reported {@code dirty}. */
    static PageLedger afterFirstPass(int... dirty) {
        PageLedger l = new PageLedger(N);
        l.sent(l.livePass(null).send());
        l.fetchLive(reporting(dirty));
        return l;
    }

    @Test
    void aLivePassSendsTheStalePagesLessTheHintsSoftPagesThatWereNotJustDirtied() {
        PageLedger l = afterFirstPass(1, 2, 3);
        PageLedger.LivePass pass = l.livePass(bits(2, 3, 9));
        assertThat(pass.send()).isEqualTo(bits(1, 2, 3));
        assertThat(pass.skipped()).isZero();

        PageLedger first = new PageLedger(N);
        PageLedger.LivePass zero = first.livePass(bits(4, 5));
        assertThat(zero.skipped()).isEqualTo(2);
        assertThat(zero.send().get(4)).isFalse();
    }

    @Test
    void skippedPagesStayStaleAndSentPagesDoNot() {
        PageLedger l = new PageLedger(N);
        l.sent(l.livePass(bits(4, 5)).send());
        l.fetchLive(reporting());
        assertThat(l.livePass(null).send()).isEqualTo(bits(4, 5));
    }

    @Test
    void theCatchUpSendsStalePagesOutsideTheFinalSoftSetOrAllWithoutOne() {
        assertThat(afterFirstPass(1, 2, 3).catchUp(bits(2, 7))).isEqualTo(bits(1, 3));
        assertThat(afterFirstPass(1, 2, 3).catchUp(null)).isEqualTo(bits(1, 2, 3));
    }

    @Test
    void theFinalRoundSendsTheFinalDirtySetAndLeavesCleanStaleFinalSoftRamWithoutData() {
        PageLedger l = afterFirstPass(1, 2, 3, 4, 5);
        l.fetchFinal(reporting(2, 8));
        PageBitmap holes = bits(5);
        // 1: stale, final-soft, clean -> no data; 2: final-soft but dirty -> data; 3: stale, not final-soft -> data;
        // 5: a hole the guest calls free -> its hole entry again, never allocated; 8: current, dirtied -> data;
        // 9: final-soft but current -> nothing.
        PageLedger.FinalRound f = l.finalRound(bits(1, 2, 4, 5, 9), holes, pages -> {});
        assertThat(f.noData()).contains(bits(1, 4));
        assertThat(f.withData()).isEqualTo(bits(2, 3, 5, 8));
        assertThat(f.softDirtied()).isEqualTo(1);
    }

    @Test
    void onlyWhatTheBackendCallsGuestRamGoesWithoutDataAndNothingKnownAsAHoleIsAskedAbout() {
        PageLedger l = afterFirstPass(1, 4, 5);
        l.fetchFinal(reporting());
        PageBitmap asked = new PageBitmap(N);
        PageLedger.FinalRound f = l.finalRound(bits(1, 4, 5), bits(5), pages -> {
            asked.copyFrom(pages);
            pages.clear(4);
        });
        assertThat(asked).isEqualTo(bits(1, 4));
        assertThat(f.noData()).contains(bits(1));
        assertThat(f.withData()).isEqualTo(bits(4, 5));
    }

    @Test
    void withoutAFinalSoftSetTheFinalRoundSendsEveryStaleAndDirtyPage() {
        PageLedger l = afterFirstPass(1);
        l.fetchFinal(reporting(6));
        PageLedger.FinalRound f = l.finalRound(null, bits(), pages -> {
            throw new AssertionError("no final soft set: nothing to check");
        });
        assertThat(f.noData()).isEmpty();
        assertThat(f.withData()).isEqualTo(bits(1, 6));
    }
}
