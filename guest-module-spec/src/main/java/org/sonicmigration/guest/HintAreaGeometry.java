package org.sonicmigration.guest;

/**
 * The static shape of a guest's hint area: how many PFNs it covers, how many pages it spans, and where
 * each set lives. {@link #plan} applies SPEC.md's sizing rule (bitmaps while they fit the budget, extent
 * lists beyond); {@link #of} builds any other valid shape (tests use it to force extents on a small guest).
 *
 * @param pfnCount   PFNs covered
 * @param areaPages  4 KiB pages of the whole area, header page included
 * @param live       the live soft set's section
 * @param finalSet   the final soft set's section
 * @param referenced the referenced set's section, or {@link SetPlacement#ABSENT}
 */
public record HintAreaGeometry(long pfnCount, int areaPages, SetPlacement live, SetPlacement finalSet,
                               SetPlacement referenced) {

    /** The guest's default area budget: 16 MiB (4096 grant references). */
    public static final long DEFAULT_BUDGET_BYTES = 16L << 20;

    public HintAreaGeometry {
        if (pfnCount < 1 || pfnCount > HintAreaLayout.MAX_PFN_COUNT) {
            throw new HintAreaException("PFN count out of range 1.." + HintAreaLayout.MAX_PFN_COUNT + ": " + pfnCount);
        }
        if (areaPages < 1 || areaPages > HintAreaLayout.MAX_AREA_PAGES) {
            throw new HintAreaException("area of " + areaPages + " pages is outside 1.." + HintAreaLayout.MAX_AREA_PAGES);
        }
        if (!live.present() || !finalSet.present()) {
            throw new HintAreaException("the live and final sets need sections");
        }
        long areaBytes = (long) areaPages * HintAreaLayout.PAGE_SIZE;
        SetPlacement[] all = {live, finalSet, referenced};
        for (SetPlacement p : all) {
            if (!p.present()) {
                continue;
            }
            if (p.offset() < HintAreaLayout.HEADER_SIZE || p.end() > areaBytes) {
                throw new HintAreaException("section " + p + " is outside the area's " + areaBytes + " bytes after the header");
            }
            if (p.encoding() == SetEncoding.BITMAP && p.capacity() < HintAreaLayout.bitmapBytes(pfnCount)) {
                throw new HintAreaException("bitmap section of " + p.capacity() + " bytes cannot cover " + pfnCount + " PFNs");
            }
        }
        for (int i = 0; i < all.length; i++) {
            for (int j = i + 1; j < all.length; j++) {
                if (all[i].present() && all[j].present() && all[i].offset() < all[j].end() && all[j].offset() < all[i].end()) {
                    throw new HintAreaException("sections overlap: " + all[i] + " and " + all[j]);
                }
            }
        }
    }

    /** {@link #plan(long, boolean, long)} with {@link #DEFAULT_BUDGET_BYTES}. */
    public static HintAreaGeometry plan(long pfnCount, boolean withReferenced) {
        return plan(pfnCount, withReferenced, DEFAULT_BUDGET_BYTES);
    }

    /**
     * SPEC.md's rule: header page first, then each set page-aligned; bitmaps when the header page plus
     * every bitmap fit {@code budgetBytes}, otherwise extent lists sharing the budget equally.
     */
    public static HintAreaGeometry plan(long pfnCount, boolean withReferenced, long budgetBytes) {
        long page = HintAreaLayout.PAGE_SIZE;
        if (budgetBytes < 2 * page || budgetBytes > (long) HintAreaLayout.MAX_AREA_PAGES * page) {
            throw new HintAreaException("area budget must be 8 KiB..64 MiB: " + budgetBytes);
        }
        if (pfnCount < 1 || pfnCount > HintAreaLayout.MAX_PFN_COUNT) {
            throw new HintAreaException("PFN count out of range 1.." + HintAreaLayout.MAX_PFN_COUNT + ": " + pfnCount);
        }
        int sets = withReferenced ? 3 : 2;
        long bitmap = roundUp(HintAreaLayout.bitmapBytes(pfnCount), page);
        SetEncoding enc;
        long each;
        if (page + sets * bitmap <= budgetBytes) {
            enc = SetEncoding.BITMAP;
            each = bitmap;
        } else {
            enc = SetEncoding.EXTENTS;
            each = (budgetBytes - page) / sets / page * page;
            if (each < page) {
                throw new HintAreaException("area budget of " + budgetBytes + " bytes leaves no room for " + sets + " sets");
            }
        }
        SetPlacement live = new SetPlacement(enc, page, each);
        SetPlacement fin = new SetPlacement(enc, page + each, each);
        SetPlacement ref = withReferenced ? new SetPlacement(enc, page + 2 * each, each) : SetPlacement.ABSENT;
        return new HintAreaGeometry(pfnCount, (int) ((page + sets * each) / page), live, fin, ref);
    }

    /** Any valid shape; the area spans just enough pages for the sections given. */
    public static HintAreaGeometry of(long pfnCount, SetPlacement live, SetPlacement finalSet, SetPlacement referenced) {
        long end = Math.max(HintAreaLayout.HEADER_SIZE, Math.max(live.end(), Math.max(finalSet.end(), referenced.end())));
        long pages = roundUp(end, HintAreaLayout.PAGE_SIZE) / HintAreaLayout.PAGE_SIZE;
        if (pages > HintAreaLayout.MAX_AREA_PAGES) {
            throw new HintAreaException("sections end at byte " + end + ", beyond the " + HintAreaLayout.MAX_AREA_PAGES + "-page limit");
        }
        return new HintAreaGeometry(pfnCount, (int) pages, live, finalSet, referenced);
    }

    /** Bytes of the whole area. */
    public long areaBytes() {
        return (long) areaPages * HintAreaLayout.PAGE_SIZE;
    }

    private static long roundUp(long v, long to) {
        return (v + to - 1) / to * to;
    }
}
