package org.sonicmigration.stream;

/**
 * The type nibble of a pfn word in a PAGE_DATA record: tells the restorer whether 4096 bytes of
 * content follow for that pfn (normal pages and page tables) or not (broken, allocate-only and invalid
 * pfns). SonicMigration sends the guest's soft pages as {@link #XALLOC}: allocated, never copied.
 */
public enum PageType {
    NOTAB(0x0), L1TAB(0x1), L2TAB(0x2), L3TAB(0x3), L4TAB(0x4),
    L1TAB_PINNED(0x9), L2TAB_PINNED(0xA), L3TAB_PINNED(0xB), L4TAB_PINNED(0xC),
    BROKEN(0xD), XALLOC(0xE), XTAB(0xF);

    private static final PageType[] BY_CODE = new PageType[16];

    static {
        for (PageType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;

    PageType(int code) {
        this.code = code;
    }

    /** The 4-bit code as it appears in bits 63–60 of a pfn word. */
    public int code() {
        return code;
    }

    /** Whether a PAGE_DATA record carries 4096 bytes of content for a pfn of this type. */
    public boolean hasData() {
        return code <= 0x4 || (code >= 0x9 && code <= 0xC);
    }

    /**
     * The type for a 4-bit code.
     *
     * @throws StreamFormatException for the codes 5–8, which Xen leaves undefined, or a value outside 0–15
     */
    public static PageType fromCode(int code) throws StreamFormatException {
        PageType t = code >= 0 && code < 16 ? BY_CODE[code] : null;
        if (t == null) {
            throw new StreamFormatException("invalid page type 0x" + Integer.toHexString(code));
        }
        return t;
    }

    /** Like {@link #fromCode} for a code already known to be 0–15; null for the invalid codes 5–8. */
    static PageType orNull(int code) {
        return BY_CODE[code & 0xF];
    }
}
