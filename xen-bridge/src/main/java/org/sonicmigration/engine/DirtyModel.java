package org.sonicmigration.engine;

/**
 * How many distinct pages a guest dirties in a window of {@code t} seconds, fitted to what the dirty
 * log showed: writes at {@code rate} pages per second spread uniformly over a hot set of {@code hotSet}
 * pages dirty {@code hotSet·(1 − e^(−rate·t/hotSet))} distinct pages. Two observations fix both
 * parameters: the mean count of a short slice, which is nearly the rate, and the union over the whole
 * sample, which shows whether the writes keep hitting the same pages.
 */
record DirtyModel(double rate, double hotSet) {

    /** Distinct pages dirtied in {@code seconds}. */
    double distinct(double seconds) {
        if (rate <= 0) {
            return 0;
        }
        return hotSet * -Math.expm1(-rate * seconds / hotSet);
    }

    /**
     * Fits the model.
     *
     * @param sliceMean mean distinct pages per slice
     * @param slice     a slice's length in seconds
     * @param union     distinct pages over the whole sample
     * @param window    the sample's length in seconds
     * @param maxPages  the guest's pages, the largest possible hot set
     */
    static DirtyModel fit(double sliceMean, double slice, double union, double window, double maxPages) {
        if (sliceMean <= 0 || union <= 0) {
            return new DirtyModel(0, Math.max(1, maxPages));
        }
        double lo = Math.max(union, sliceMean) * (1 + 1e-9);
        double hi = Math.max(lo, maxPages);
        // Larger hot sets predict larger unions for the same slice count: bisect on the union.
        if (unionFor(hi, sliceMean, slice, window) <= union) {
            return new DirtyModel(rateFor(hi, sliceMean, slice), hi);
        }
        for (int i = 0; i < 200; i++) {
            double mid = (lo + hi) / 2;
            if (unionFor(mid, sliceMean, slice, window) < union) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return new DirtyModel(rateFor(hi, sliceMean, slice), hi);
    }

    private static double rateFor(double hotSet, double sliceMean, double slice) {
        return -hotSet / slice * Math.log1p(-Math.min(sliceMean / hotSet, 1 - 1e-12));
    }

    private static double unionFor(double hotSet, double sliceMean, double slice, double window) {
        return new DirtyModel(rateFor(hotSet, sliceMean, slice), hotSet).distinct(window);
    }
}
