package org.sonicmigration.guest.agent;

/**
 * One line of the meminfo cross-check: a meminfo counter next to the same quantity counted from the
 * kpageflags classes, both in KiB.
 *
 * @param field          the meminfo field (or sum of fields), e.g. {@code Cached+Buffers}
 * @param meminfoKib     its value in meminfo
 * @param fromClassesKib the matching classes' pages times 4
 * @param countedAs      which classes were counted
 */
public record MeminfoRow(String field, long meminfoKib, long fromClassesKib, String countedAs) {

    /** Classes minus meminfo, in KiB. */
    public long differenceKib() {
        return fromClassesKib - meminfoKib;
    }
}
