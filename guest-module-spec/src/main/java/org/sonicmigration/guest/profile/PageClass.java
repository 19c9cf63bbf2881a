package org.sonicmigration.guest.profile;

/**
 * The class of one guest frame as Linux reports it through {@code /proc/kpageflags}: the twelve classes of
 * the 6.1 guest profiles ({@code data/linux61-guest/README.md}), in the order the classification rules test
 * them. A class says whether the page's content could be dropped on migration ({@link #isSoftCandidate()}):
 * only free pages and clean, unmapped page cache qualify; everything else must reach the destination.
 */
public enum PageClass {
    HOLE("hole (NOPAGE)"),
    FREE("free (BUDDY)"),
    SLAB("slab"),
    PAGE_TABLE("page tables"),
    ANON("anon: ANON"),
    SHMEM("anon: shmem/tmpfs (SWAPBACKED, !ANON)"),
    FILE_DIRTY("dirty/writeback/locked file"),
    FILE_MAPPED("mapped file"),
    CLEAN_CACHE("clean page cache (unmapped)"),
    RESERVED("reserved/kernel (RESERVED)"),
    OTHER_UNFLAGGED("other: flags == 0, not BUDDY"),
    OTHER_FLAGGED("other: flags set, none of the above");

    private static final PageClass[] VALUES = values();

    private final String label;

    PageClass(String label) {
        this.label = label;
    }

    /** The class name as {@code classes.csv} spells it. */
    public String label() {
        return label;
    }

    /** Free pages and clean, unmapped page cache: content the guest can do without after a migration. */
    public boolean isSoftCandidate() {
        return this == FREE || this == CLEAN_CACHE;
    }

    /** The profiles' "hard kernel" group: slab, page tables, reserved and both "other" classes. */
    public boolean isHardKernel() {
        return this == SLAB || this == PAGE_TABLE || this == RESERVED || this == OTHER_UNFLAGGED
                || this == OTHER_FLAGGED;
    }

    /** The class with this {@link #ordinal()}, for compact per-pfn arrays. */
    public static PageClass ofOrdinal(int ordinal) {
        return VALUES[ordinal];
    }

    /** Finds a class by its {@link #label()}. */
    public static java.util.Optional<PageClass> byLabel(String label) {
        for (PageClass c : VALUES) {
            if (c.label.equals(label)) {
                return java.util.Optional.of(c);
            }
        }
        return java.util.Optional.empty();
    }
}
