package org.sonicmigration.sim;

import java.util.List;

/**
 * The outcome of comparing a migrated guest with its destination: pages compared, mismatching pages (with the
 * first few described), and whether the platform state arrived unchanged.
 */
public record VerificationResult(boolean passed, long pagesCompared, long mismatches, List<String> firstMismatches,
                                 boolean stateEqual) {
    public VerificationResult {
        firstMismatches = List.copyOf(firstMismatches);
    }

    @Override
    public String toString() {
        return (passed ? "PASSED" : "FAILED") + ": " + pagesCompared + " pages compared, " + mismatches
                + " mismatches, platform state " + (stateEqual ? "equal" : "DIFFERENT")
                + (firstMismatches.isEmpty() ? "" : "; first: " + String.join("; ", firstMismatches));
    }
}
