package org.sonicmigration.sim.verify;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.sonicmigration.guest.SoftSet;
import org.sonicmigration.sim.SimTargetDomain;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.sim.kernel.PageCategory;
import org.sonicmigration.sim.kernel.PageState;
import org.sonicmigration.sim.module.HintModule;
import org.sonicmigration.spi.PlatformState;
import org.sonicmigration.spi.RunState;

/**
 * Checks a finished migration frame by frame: compares the source guest as it is at suspend (it must be paused
 * or suspended, so it still holds that moment) with the destination domain, under a {@link VerificationMode},
 * and compares the platform state. Every pfn of the larger of the two frame spaces is accounted for: a source
 * frame must be populated on the destination (with the content its category demands), a hole must not be, and
 * a frame populated without data must be one the guest named in its final soft set. The result counts pages
 * per {@link PageCategory} of the source page at suspend.
 */
public final class MigrationVerifier {
    private static final int REPORTED = 10;

    private MigrationVerifier() {
    }

    public static VerificationResult verify(SimGuest source, SimTargetDomain target) {
        return verify(source, target, VerificationMode.STRICT);
    }

    /** Verifies against the final soft set the guest's module last published (none if it published none). */
    public static VerificationResult verify(SimGuest source, SimTargetDomain target, VerificationMode mode) {
        Optional<SoftSet> finalSet = source.hintModule().flatMap(HintModule::lastFinal)
                .map(HintModule.FinalPublication::finalSet);
        return verify(source, target, mode, finalSet);
    }

    /**
     * @param finalSoftSet the final soft set the guest promised (pages the destination may hold without data);
     *                     empty if it gave none
     */
    public static VerificationResult verify(SimGuest source, SimTargetDomain target, VerificationMode mode,
                                            Optional<SoftSet> finalSoftSet) {
        RunState rs = source.state();
        if (rs != RunState.PAUSED && rs != RunState.SUSPENDED) {
            throw new IllegalStateException("source guest " + source.name() + " is " + rs
                    + ": verification needs it paused or suspended at the moment of the switch-over");
        }
        int n = PageCategory.values().length;
        long[] pages = new long[n];
        long[] bad = new long[n];
        long noData = 0;
        long noDataOutside = 0;
        long compared = 0;
        long mismatches = 0;
        List<String> first = new ArrayList<>();
        long limit = Math.max(source.pfnLimit(), target.populatedEnd());
        for (long pfn = 0; pfn < limit; pfn++) {
            PageState s = pfn < source.pfnLimit() ? source.pageState(pfn) : PageState.HOLE;
            PageCategory c = PageCategory.of(s);
            Optional<Long> t = target.fingerprint(pfn);
            pages[c.ordinal()]++;
            String problem;
            if (c == PageCategory.HOLE) {
                problem = t.isPresent() ? "populated on the destination but a hole on the source" : null;
            } else {
                compared++;
                problem = t.isEmpty() ? "not populated on the destination"
                        : mode.judgeContent(source, pfn, c, source.fingerprint(pfn), t.get());
            }
            if (problem != null) {
                bad[c.ordinal()]++;
            }
            if (t.isPresent() && target.isPopulatedWithoutData(pfn)) {
                noData++;
                if (!inSet(finalSoftSet, pfn)) {
                    noDataOutside++;
                    String why = "populated without data but not in the guest's final soft set";
                    problem = problem == null ? why : problem + "; " + why;
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
                tally(PageCategory.HARD, pages, bad), tally(PageCategory.CLEAN_CACHE, pages, bad),
                tally(PageCategory.FREE, pages, bad), tally(PageCategory.HOLE, pages, bad),
                new VerificationResult.Tally(noData, noData, noDataOutside));
        return new VerificationResult(mismatches == 0 && stateEqual, compared, mismatches, first, stateEqual, mode,
                categories);
    }

    private static boolean inSet(Optional<SoftSet> set, long pfn) {
        return set.isPresent() && pfn < set.get().size() && set.get().contains(pfn);
    }

    private static VerificationResult.Tally tally(PageCategory c, long[] pages, long[] bad) {
        return new VerificationResult.Tally(pages[c.ordinal()], pages[c.ordinal()], bad[c.ordinal()]);
    }

    /** Whether two platform states are equal field by field. */
    public static boolean same(PlatformState a, PlatformState b) {
        return Arrays.equals(a.cpuidPolicy(), b.cpuidPolicy()) && Arrays.equals(a.msrPolicy(), b.msrPolicy())
                && a.tsc().equals(b.tsc()) && Arrays.equals(a.hvmContext(), b.hvmContext())
                && a.hvmParams().equals(b.hvmParams());
    }
}
