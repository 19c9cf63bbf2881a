package org.sonicmigration.cli;

import java.util.List;
import org.sonicmigration.sim.verify.VerificationResult;

/**
 * The verdict of comparing the destination with the source at suspend, as the report shows it.
 *
 * @param passed          every compared page and the state matched
 * @param pagesCompared   pages compared
 * @param mismatches      pages that differed
 * @param firstMismatches a few of them, described
 * @param stateEqual      the vCPU/platform state matched
 * @param mode            strict (every page) or soft (hard pages exactly, clean cache against the disk)
 * @param categories      pages checked and failed per class at suspend, and pages populated without data
 */
record Verification(boolean passed, long pagesCompared, long mismatches, List<String> firstMismatches,
                    boolean stateEqual, String mode, VerificationResult.Categories categories) {

    static Verification of(VerificationResult r) {
        return new Verification(r.passed(), r.pagesCompared(), r.mismatches(), r.firstMismatches(), r.stateEqual(),
                r.mode().name().toLowerCase(java.util.Locale.ROOT), r.categories());
    }
}
