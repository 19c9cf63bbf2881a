package org.sonicmigration.engine;

import java.util.Optional;
import org.sonicmigration.spi.PageBitmap;

/**
 * Checks what a guest calls soft against what dom0 sees for itself ({@code --verify-hints}) and says when the
 * guest is lying. Three tells: a claim that more than {@link #MAX_SOFT_SHARE} of the guest's memory is soft (a
 * running Linux keeps its kernel, page tables and one struct page per frame, 1.6% of its memory, however idle);
 * a live hint calling soft the pages the dirty log shows written in each of the last two rounds (pages in use);
 * a final soft set calling free the pages written in the last round that the last live hint did not call soft.
 * An honest guest trips the last two only with pages it freed in the moment between a write and its answer, so
 * each needs a quarter of the pages it looks at and at least {@link #MIN_EVIDENCE}; a false alarm costs only the
 * fallback to plain pre-copy. A lie about pages the guest does not write while it migrates leaves no trace dom0
 * can see; it costs that guest alone its pages (DESIGN.md).
 */
final class HintVerifier {
    /** Fewer pages in contradiction than this are never called a lie: too few to tell from pages just freed. */
    static final long MIN_EVIDENCE = 8;
    /** The most of its memory a running guest can honestly call soft. */
    static final double MAX_SOFT_SHARE = 0.99;

    private final long guestPages;
    private final PageBitmap lastDirty;
    private final PageBitmap hot;
    private final PageBitmap lastLive;
    private final PageBitmap scratch;
    private boolean primed;
    private boolean hasHot;
    private boolean hasLive;

    /**
     * @param pfnLimit   the guest's frame space
     * @param guestPages the frames it holds, the base of the share it may call soft
     */
    HintVerifier(long pfnLimit, long guestPages) {
        this.guestPages = guestPages;
        lastDirty = new PageBitmap(pfnLimit);
        hot = new PageBitmap(pfnLimit);
        lastLive = new PageBitmap(pfnLimit);
        scratch = new PageBitmap(pfnLimit);
    }

    /** After each fetch-and-clean of the dirty log: the pages written in this round. */
    void dirtied(PageBitmap dirty) {
        if (primed) {
            hot.copyFrom(lastDirty);
            hot.and(dirty);
            hasHot = true;
        }
        lastDirty.copyFrom(dirty);
        primed = true;
    }

    /** A live hint: the reason it is a lie, if it is one. Remembered as the guest's latest word otherwise. */
    Optional<String> liveLie(PageBitmap hint) {
        Optional<String> lie = implausible(hint, "live hint");
        if (lie.isEmpty() && hasHot) {
            lie = contradicts(hint, hot, "live hint", "written in each of the last two rounds");
        }
        if (lie.isEmpty()) {
            lastLive.copyFrom(hint);
            hasLive = true;
        }
        return lie;
    }

    /** The final soft set: the reason it is a lie, if it is one. */
    Optional<String> finalLie(PageBitmap finalSet) {
        Optional<String> lie = implausible(finalSet, "final soft set");
        if (lie.isPresent() || !primed) {
            return lie;
        }
        PageBitmap inUse = hot;
        inUse.copyFrom(lastDirty);
        if (hasLive) {
            inUse.andNot(lastLive);
        }
        return contradicts(finalSet, inUse, "final soft set", "written in the last round and not soft in its last"
                + " live hint");
    }

    private Optional<String> implausible(PageBitmap claimed, String what) {
        long soft = claimed.cardinality();
        if (guestPages > 0 && soft > MAX_SOFT_SHARE * guestPages) {
            return Optional.of("the guest was caught lying: its " + what + " calls " + soft + " of its " + guestPages
                    + " pages soft, more than a running kernel can spare (--verify-hints)");
        }
        return Optional.empty();
    }

    private Optional<String> contradicts(PageBitmap claimed, PageBitmap seen, String what, String how) {
        long seenPages = seen.cardinality();
        scratch.copyFrom(claimed);
        scratch.and(seen);
        long both = scratch.cardinality();
        if (both < MIN_EVIDENCE || both * 4 < seenPages) {
            return Optional.empty();
        }
        return Optional.of("the guest was caught lying: its " + what + " calls soft " + both + " of the " + seenPages
                + " pages dom0 saw " + how + " (--verify-hints)");
    }
}
