package org.sonicmigration.guest.profile;

/**
 * A maximal run of consecutive frames of one class: frames {@code [start, start + length)}.
 */
public record PfnRun(long start, long length, PageClass pageClass) {
    public PfnRun {
        if (start < 0 || length <= 0) {
            throw new IllegalArgumentException("bad run start=" + start + " length=" + length);
        }
    }

    /** One past the last frame of the run. */
    public long end() {
        return start + length;
    }
}
