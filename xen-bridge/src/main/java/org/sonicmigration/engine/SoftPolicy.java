package org.sonicmigration.engine;

import java.util.Locale;

/**
 * Which soft pages a migration may leave unsent. {@link #OFF} is plain pre-copy; {@link #FREE} skips
 * free pages but lets the guest keep its page cache (it is sent, early); {@link #FREE_AND_CACHE} also
 * lets the guest drop its clean page cache instead of sending it — the full SonicMigration.
 */
public enum SoftPolicy {
    OFF("off"), FREE("free"), FREE_AND_CACHE("free+cache");

    private final String label;

    SoftPolicy(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static SoftPolicy parse(String text) {
        String t = text.toLowerCase(Locale.ROOT).trim();
        for (SoftPolicy p : values()) {
            if (p.label.equals(t)) {
                return p;
            }
        }
        throw new IllegalArgumentException("soft-page policy must be off, free or free+cache, not '" + text + "'");
    }

    @Override
    public String toString() {
        return label;
    }
}
