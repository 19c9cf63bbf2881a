package org.sonicmigration.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.sonicmigration.spi.PlatformState;
import org.sonicmigration.spi.RunState;

/**
 * Checks a finished migration: compares the source guest as it is at suspend (it must be paused or
 * suspended, so it still holds that moment) with the destination domain, page by page by fingerprint, under a
 * {@link VerificationMode}, and compares the platform state. Frames that are holes on the source must not be
 * populated on the destination. Counts are kept per {@link PageCategory} of the source page.
 */
public final class MigrationVerifier {
    private static final int REPORTED = 10;

    private MigrationVerifier() {
    }

    public static VerificationResult verify(SimGuest source, SimTargetDomain target) {
        return verify(source, target, VerificationMode.STRICT);
    }

    public static VerificationResult verify(SimGuest source, SimTargetDomain target, VerificationMode mode) {
        RunState rs = source.state();
        if (rs != RunState.PAUSED && rs != RunState.SUSPENDED) {
            throw new IllegalStateException("source guest " + source.name() + " is " + rs
                    + ": verification needs it paused or suspended at the moment of the switch-over");
        }
        VerificationMode.PageRule rule = mode.rule();
        long compared = 0;
        long mismatches = 0;
        long[] pages = new long[PageCategory.values().length];
        long[] checked = new long[pages.length];
        long[] bad = new long[pages.length];
        List<String> first = new ArrayList<>();
        long limit = Math.max(source.pfnLimit(), target.populatedEnd());
        for (long pfn = 0; pfn < limit; pfn++) {
            PageState s = pfn < source.pfnLimit() ? source.pageState(pfn) : PageState.HOLE;
            Optional<Long> t = target.fingerprint(pfn);
            String problem = null;
            PageCategory c = PageCategory.of(s);
            if (s == PageState.HOLE) {
                problem = t.isPresent() ? "populated on the destination but a hole on the source" : null;
            } else {
                pages[c.ordinal()]++;
                if (rule.checks(c)) {
                    compared++;
                    checked[c.ordinal()]++;
                    problem = rule.judge(source, pfn, s, source.fingerprint(pfn), t);
                    if (problem != null) {
                        bad[c.ordinal()]++;
                    }
                }
            }
            if (problem != null) {
                mismatches++;
                if (first.size() < REPORTED) {
                    first.add("pfn 0x" + Long.toHexString(pfn) + " (" + s + "): " + problem);
                }
            }
        }
        boolean stateEqual = target.restoredState().map(r -> same(r, source.captureState())).orElse(false);
        if (!stateEqual && first.size() < REPORTED) {
            first.add(target.restoredState().isEmpty() ? "no platform state restored" : "platform state differs");
        }
        VerificationResult.Categories categories = new VerificationResult.Categories(
                tally(PageCategory.HARD, pages, checked, bad), tally(PageCategory.CLEAN_CACHE, pages, checked, bad),
                tally(PageCategory.FREE, pages, checked, bad));
        return new VerificationResult(mismatches == 0 && stateEqual, compared, mismatches, first, stateEqual, mode, categories);
    }

    private static VerificationResult.Tally tally(PageCategory c, long[] pages, long[] checked, long[] bad) {
        return new VerificationResult.Tally(pages[c.ordinal()], checked[c.ordinal()], bad[c.ordinal()]);
    }

    static boolean same(PlatformState a, PlatformState b) {
        return Arrays.equals(a.cpuidPolicy(), b.cpuidPolicy()) && Arrays.equals(a.msrPolicy(), b.msrPolicy())
                && a.tsc().equals(b.tsc()) && Arrays.equals(a.hvmContext(), b.hvmContext())
                && a.hvmParams().equals(b.hvmParams());
    }
}
