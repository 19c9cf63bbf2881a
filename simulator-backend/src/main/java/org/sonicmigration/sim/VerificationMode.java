package org.sonicmigration.sim;

import java.util.Optional;

/**
 * Which pages must match after a migration. {@link #STRICT}: every populated frame of the source, byte for
 * byte, and no extra frames. {@link #SOFT}: the invariant of a migration that skips soft pages (DESIGN.md):
 * every page that is {@link PageCategory#HARD} at suspend arrives unchanged; a page that is clean page cache at
 * suspend arrives equal to its file's content on the guest's disk (so the guest may keep trusting it); free
 * and held pages are not checked.
 */
public enum VerificationMode {
    STRICT(PageRule.STRICT),
    SOFT(PageRule.SOFT);

    private final PageRule rule;

    VerificationMode(PageRule rule) {
        this.rule = rule;
    }

    PageRule rule() {
        return rule;
    }

    /** How one source frame is judged: whether it is checked at all, and what the destination must hold for it. */
    interface PageRule {
        /** Every populated source frame must arrive with identical content. */
        PageRule STRICT = (guest, pfn, state, sourceFingerprint, target) -> target.isEmpty()
                ? "not populated on the destination"
                : target.get() != sourceFingerprint ? "content differs" : null;

        /** Hard pages strictly, clean cache against the disk, free pages not at all. */
        PageRule SOFT = new PageRule() {
            @Override
            public boolean checks(PageCategory c) {
                return c == PageCategory.HARD || c == PageCategory.CLEAN_CACHE;
            }

            @Override
            public String judge(SimGuest guest, long pfn, PageState state, long sourceFingerprint, Optional<Long> target) {
                if (PageCategory.of(state) != PageCategory.CLEAN_CACHE) {
                    return STRICT.judge(guest, pfn, state, sourceFingerprint, target);
                }
                Optional<SimGuest.FilePage> file = guest.filePage(pfn);
                if (file.isEmpty()) {
                    // clean by state but not file content (bytes written into it by a test): nothing to re-read
                    return STRICT.judge(guest, pfn, state, sourceFingerprint, target);
                }
                if (target.isEmpty()) {
                    return "not populated on the destination";
                }
                Optional<Long> disk = guest.diskFingerprint(file.get().fileId(), file.get().offset());
                if (disk.isEmpty()) {
                    return "clean cache of file " + file.get().fileId() + ", which is no longer on the disk";
                }
                return target.get().longValue() == disk.get() ? null
                        : "differs from file " + file.get().fileId() + " page " + file.get().offset() + " on disk";
            }
        };

        /** Whether frames of category {@code c} (never {@link PageCategory#HOLE}) are checked at all. */
        default boolean checks(PageCategory c) {
            return true;
        }

        /**
         * @return null if the destination's page is acceptable, else why not
         */
        String judge(SimGuest guest, long pfn, PageState state, long sourceFingerprint, Optional<Long> target);
    }
}
