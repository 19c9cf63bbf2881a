package org.sonicmigration.guest;

import java.util.EnumSet;
import java.util.Set;

/**
 * The flag bits of {@code live_flags} and {@code final_flags} ({@code SONIC_FLAG_*}). Bits this ABI minor
 * does not define are ignored when decoding, so a newer minor's guest stays readable.
 */
public enum HintFlag {
    /** Free (buddy) pages are included. */
    FREE(0),
    /** Live: clean, unmapped page cache is included. Final: clean cache was dropped before the scan. */
    CLEAN_CACHE(1),
    /** The set is a subset of what the guest found: its section was too small. */
    TRUNCATED(2),
    /** Live only: the referenced section is valid for this publication. */
    REFERENCED(3),
    /** Final only: every page of the set is held (taken out of the guest's allocator). */
    HELD(4);

    private final int bit;

    HintFlag(int bit) {
        this.bit = bit;
    }

    /** The flag's mask in the 64-bit flags word. */
    public long mask() {
        return 1L << bit;
    }

    /** The known flags set in {@code bits}; unknown bits are dropped. */
    public static Set<HintFlag> decode(long bits) {
        EnumSet<HintFlag> set = EnumSet.noneOf(HintFlag.class);
        for (HintFlag f : values()) {
            if ((bits & f.mask()) != 0) {
                set.add(f);
            }
        }
        return Set.copyOf(set);
    }

    public static long encode(Set<HintFlag> flags) {
        long bits = 0;
        for (HintFlag f : flags) {
            bits |= f.mask();
        }
        return bits;
    }
}
