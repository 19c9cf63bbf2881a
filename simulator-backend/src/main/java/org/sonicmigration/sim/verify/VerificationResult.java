package org.sonicmigration.sim.verify;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.sonicmigration.sim.kernel.PageCategory;

/**
 * The outcome of comparing a migrated guest with its destination, accounting for every frame: how many pages
 * were checked and how many failed (the first few described), whether the platform state arrived unchanged,
 * the mode used, the same counts per {@link PageCategory} of the source page at suspend, and the pages the
 * destination populated without data, all of which must be in the guest's final soft set.
 *
 * @param passed          every check passed
 * @param pagesCompared   populated source frames checked (all of them)
 * @param mismatches      frames that failed a check (a frame failing two checks counts once)
 * @param firstMismatches the first few failures, described
 * @param stateEqual      the platform state arrived unchanged
 * @param mode            the mode used
 * @param categories      per-category counts
 */
public record VerificationResult(boolean passed, long pagesCompared, long mismatches, List<String> firstMismatches,
                                 boolean stateEqual, VerificationMode mode, Categories categories) {
    public VerificationResult {
        firstMismatches = List.copyOf(firstMismatches);
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(categories, "categories");
    }

    /**
     * Counts for one category.
     *
     * @param pages      frames of this category (source state at suspend; for {@code withoutData}: destination
     *                   frames populated without data)
     * @param checked    how many of them were checked
     * @param mismatches how many checked ones failed
     */
    public record Tally(long pages, long checked, long mismatches) {
        public static final Tally ZERO = new Tally(0, 0, 0);
    }

    /**
     * Per-category counts.
     *
     * @param hard        pages hard at suspend: checked identical
     * @param cleanCache  pages that were clean page cache at suspend: checked against their file on disk (soft)
     * @param free        pages free or held at suspend: checked present (soft)
     * @param holes       pfns below the larger frame space that are no frame on the source: checked not populated
     * @param withoutData frames the destination populated without data: checked to be in the final soft set
     */
    public record Categories(Tally hard, Tally cleanCache, Tally free, Tally holes, Tally withoutData) {
    }

    @Override
    public String toString() {
        return (passed ? "PASSED" : "FAILED") + " (" + mode.name().toLowerCase(Locale.ROOT) + "): " + pagesCompared
                + " pages checked, " + mismatches + " failed; " + line(PageCategory.HARD, categories.hard())
                + ", " + line(PageCategory.CLEAN_CACHE, categories.cleanCache()) + ", "
                + line(PageCategory.FREE, categories.free()) + ", " + categories.withoutData().checked()
                + " without data (" + categories.withoutData().mismatches() + " outside the final soft set), "
                + categories.holes().mismatches() + " holes populated; platform state "
                + (stateEqual ? "equal" : "DIFFERENT")
                + (firstMismatches.isEmpty() ? "" : "; first: " + String.join("; ", firstMismatches));
    }

    private String line(PageCategory c, Tally t) {
        String name = switch (c) {
            case HARD -> "hard";
            case CLEAN_CACHE -> "clean cache";
            case FREE -> "free/held";
            case HOLE -> "holes";
        };
        return name + " " + (t.checked() - t.mismatches()) + "/" + t.checked() + " " + mode.checkOf(c);
    }
}
