package org.sonicmigration.sim;

/**
 * Which pages must match after a migration. {@link #STRICT}: every populated frame of the source, byte for
 * byte, and no extra frames. A soft-page mode (hard pages at suspend strict; destination page-cache pages
 * must equal the disk model; free pages unchecked) plugs in here through {@link PageRule}.
 */
public enum VerificationMode {
    STRICT(PageRule.STRICT);

    private final PageRule rule;

    VerificationMode(PageRule rule) {
        this.rule = rule;
    }

    PageRule rule() {
        return rule;
    }

    /** How one source frame is judged: what the destination must hold for it. */
    interface PageRule {
        /** Every populated source frame must arrive with identical content. */
        PageRule STRICT = (guest, pfn, state, sourceFingerprint, target) -> target.isEmpty()
                ? "not populated on the destination"
                : target.get() != sourceFingerprint ? "content differs" : null;

        /**
         * @return null if the destination's page is acceptable, else why not
         */
        String judge(SimGuest guest, long pfn, PageState state, long sourceFingerprint, java.util.Optional<Long> target);
    }
}
