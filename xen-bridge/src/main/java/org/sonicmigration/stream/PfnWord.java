package org.sonicmigration.stream;

/**
 * Packs and unpacks the 64-bit pfn words of a PAGE_DATA record: page type in bits 63–60, reserved
 * bits 59–52 (always zero), the pfn in bits 51–0.
 */
public final class PfnWord {

    /** The largest pfn a word can hold (52 bits). */
    public static final long MAX_PFN = (1L << 52) - 1;
    /** Bits 59–52, which must be zero. */
    public static final long RESERVED_MASK = ((1L << 60) - 1) & ~MAX_PFN;

    private PfnWord() {}

    /**
     * The word for a pfn and its type.
     *
     * @throws IllegalArgumentException if the pfn does not fit in 52 bits
     */
    public static long encode(long pfn, PageType t) {
        if (pfn < 0 || pfn > MAX_PFN) {
            throw new IllegalArgumentException("pfn 0x" + Long.toHexString(pfn) + " does not fit in 52 bits");
        }
        return ((long) t.code() << 60) | pfn;
    }

    /** The pfn part of a word (bits 51–0). */
    public static long pfn(long word) {
        return word & MAX_PFN;
    }

    /**
     * The page type of a word.
     *
     * @throws StreamFormatException if reserved bits are set or the type code is one of the invalid 5–8
     */
    public static PageType type(long word) throws StreamFormatException {
        if ((word & RESERVED_MASK) != 0) {
            throw new StreamFormatException("reserved bits set in pfn word 0x" + Long.toHexString(word));
        }
        PageType t = PageType.orNull((int) (word >>> 60));
        if (t == null) {
            throw new StreamFormatException("invalid page type " + (word >>> 60) + " in pfn word 0x"
                    + Long.toHexString(word));
        }
        return t;
    }
}
