package org.sonicmigration.sim;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of comparing a migrated guest with its destination: pages compared, mismatching pages (with the
 * first few described), whether the platform state arrived unchanged, the mode used, and the same counts per
 * {@link PageCategory} of the source page at suspend.
 */
public record VerificationResult(boolean passed, long pagesCompared, long mismatches, List<String> firstMismatches,
                                 boolean stateEqual, VerificationMode mode, Categories categories) {
    public VerificationResult {
        firstMismatches = List.copyOf(firstMismatches);
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(categories, "categories");
    }

    /** A strict result without per-category counts (the form before soft verification existed). */
    public VerificationResult(boolean passed, long pagesCompared, long mismatches, List<String> firstMismatches,
                              boolean stateEqual) {
        this(passed, pagesCompared, mismatches, firstMismatches, stateEqual, VerificationMode.STRICT, Categories.NONE);
    }

    /**
     * Counts for one category.
     *
     * @param pages      source frames of this category at suspend
     * @param checked    how many of them the mode checked
     * @param mismatches how many checked ones failed
     */
    public record Tally(long pages, long checked, long mismatches) {
        public static final Tally ZERO = new Tally(0, 0, 0);
    }

    /**
     * Per-category counts.
     *
     * @param hard       pages that were hard at suspend
     * @param cleanCache pages that were clean page cache at suspend
     * @param free       pages that were free or held at suspend
     */
    public record Categories(Tally hard, Tally cleanCache, Tally free) {
        public static final Categories NONE = new Categories(Tally.ZERO, Tally.ZERO, Tally.ZERO);
    }

    @Override
    public String toString() {
        return (passed ? "PASSED" : "FAILED") + " (" + mode + "): " + pagesCompared + " pages compared, " + mismatches
                + " mismatches (hard " + categories.hard().mismatches() + "/" + categories.hard().checked()
                + ", clean cache " + categories.cleanCache().mismatches() + "/" + categories.cleanCache().checked()
                + ", free " + categories.free().mismatches() + "/" + categories.free().checked() + " of "
                + categories.free().pages() + "), platform state " + (stateEqual ? "equal" : "DIFFERENT")
                + (firstMismatches.isEmpty() ? "" : "; first: " + String.join("; ", firstMismatches));
    }
}
