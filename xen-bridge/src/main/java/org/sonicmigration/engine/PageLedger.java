package org.sonicmigration.engine;

import java.util.Optional;
import java.util.function.Consumer;
import org.sonicmigration.spi.DirtyLog;
import org.sonicmigration.spi.PageBitmap;

/**
 * The page bookkeeping of one migration and the set algebra of each step of the pre-copy loop
 * (DESIGN.md, "The migration engine"), apart from any I/O so that every rule that decides what is sent
 * lives in one place and can be tested on bitmaps alone. A page is <em>stale</em> while the destination
 * may lack its current content: every page at the start, a page the dirty log reports, and a page
 * skipped on a hint; it becomes current once sent ({@link #sent}). Each step method returns the pages
 * its pass is due to send; the bitmap it returns is reused by the next step.
 */
final class PageLedger {
    private final PageBitmap stale;
    /** The pages of the latest fetch-and-clean of the dirty log. */
    private final PageBitmap dirty;
    /** What the step at hand sends; one buffer for all steps, as a 1 TiB guest's bitmap is 32 MiB. */
    private final PageBitmap due;

    PageLedger(long pfnLimit) {
        stale = new PageBitmap(pfnLimit);
        stale.setAll();
        dirty = new PageBitmap(pfnLimit);
        due = new PageBitmap(pfnLimit);
    }

    /** The pages of one live pass, and how many stale pages it leaves for later on the guest's hint. */
    record LivePass(PageBitmap send, long skipped) {}

    /**
     * What the final (paused) round sends: {@code withData} with their content, {@code noData} as
     * "allocate, no data" (empty without a final soft set); {@code softDirtied} counts final-soft pages
     * that the final dirty set took back, which go with data.
     */
    record FinalRound(PageBitmap withData, Optional<PageBitmap> noData, long softDirtied) {}

    /**
     * Step 2, a live pass: every stale page, less those the guest's current hint calls soft — unless the
     * last fetch-and-clean found them dirty, since a hint published before that write may be out of date
     * and sending them now keeps them out of the downtime. Skipped pages stay stale.
     *
     * @param hintSoft the live hint's soft pages, or null without a usable hint; consumed (the advisor
     *                 rewrites it at each read)
     */
    LivePass livePass(PageBitmap hintSoft) {
        due.copyFrom(stale);
        if (hintSoft == null) {
            return new LivePass(due, 0);
        }
        hintSoft.andNot(dirty);
        long before = due.cardinality();
        due.andNot(hintSoft);
        return new LivePass(due, before - due.cardinality());
    }

    /** The pages of the latest fetch-and-clean of the dirty log (read only; the next fetch overwrites it). */
    PageBitmap dirty() {
        return dirty;
    }

    /** The pages of a pass went out (with data, or as holes): the destination has their content now. */
    void sent(PageBitmap pages) {
        stale.andNot(pages);
    }

    /**
     * End of a live pass: fetch-and-clean the dirty log; every page written since the last fetch is
     * stale again.
     *
     * @return how many pages were dirty
     */
    long fetchLive(DirtyLog log) {
        log.fetchAndClean(dirty);
        stale.or(dirty);
        return dirty.cardinality();
    }

    /**
     * Step 5, the catch-up after the handshake while the guest still runs: the stale pages the guest
     * did not give up. Without a final soft set that is every stale page (those skipped on hints too),
     * which must not land in the downtime.
     */
    PageBitmap catchUp(PageBitmap finalSoft) {
        due.copyFrom(stale);
        if (finalSoft != null) {
            due.andNot(finalSoft);
        }
        return due;
    }

    /**
     * With the guest paused: the last fetch-and-clean. Its pages are kept apart from the stale ones, as
     * the final round treats them by their own rule.
     */
    void fetchFinal(DirtyLog log) {
        log.fetchFinal(dirty);
    }

    /**
     * Step 6, the final round (paused). With data: the final dirty set — it always wins, whether the
     * guest held its final set or only listed it — and every other stale page outside the final soft
     * set. Without data: stale pages of the final soft set that stayed clean and are guest RAM — a guest
     * may not turn a hole into memory by calling it free. Frames already seen not to map are dropped here;
     * the backend checks the rest, as a page skipped in every pass was never looked at.
     *
     * @param finalSoft the guest's final soft set, or null; consumed
     * @param holes     frames found not to map so far
     * @param guestRam  clears from a bitmap every frame that is not guest RAM ({@code SourceDomain::retainGuestRam})
     */
    FinalRound finalRound(PageBitmap finalSoft, PageBitmap holes, Consumer<PageBitmap> guestRam) {
        PageBitmap withData = due;
        withData.copyFrom(stale);
        withData.or(dirty);
        if (finalSoft == null) {
            return new FinalRound(withData, Optional.empty(), 0);
        }
        PageBitmap noData = finalSoft;
        long listed = noData.cardinality();
        noData.andNot(dirty);
        long softDirtied = listed - noData.cardinality();
        noData.and(stale);
        noData.andNot(holes);
        guestRam.accept(noData);
        withData.andNot(noData);
        return new FinalRound(withData, Optional.of(noData), softDirtied);
    }
}
