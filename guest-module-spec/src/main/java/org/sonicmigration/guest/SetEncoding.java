package org.sonicmigration.guest;

import java.util.Optional;

/**
 * How a PFN set is stored in its section ({@code SONIC_ENC_*}): a bitmap of one bit per PFN, or a
 * sorted list of disjoint extents for guests too big for a bitmap within the area's bound.
 */
public enum SetEncoding {
    ABSENT(0),
    BITMAP(1),
    EXTENTS(2);

    private final int code;

    SetEncoding(int code) {
        this.code = code;
    }

    /** The value in {@code sonic_set_desc.encoding}. */
    public int code() {
        return code;
    }

    /** The encoding with this wire value, or empty for a value this ABI minor does not know. */
    public static Optional<SetEncoding> fromCode(long code) {
        for (SetEncoding e : values()) {
            if (e.code == code) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }
}
