package org.sonicmigration.sim.verify;

import java.util.Optional;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.sim.kernel.FilePage;
import org.sonicmigration.sim.kernel.PageCategory;

/**
 * What the destination must hold for each page, by the page's {@link PageCategory} at suspend. In both modes
 * every populated frame of the source must be populated on the destination, no hole may be, and a frame may be
 * populated without data only if the guest named it in its final soft set. Beyond that, {@link #STRICT}: every
 * frame byte for byte (plain pre-copy sends everything). {@link #SOFT}: the invariant of a migration that skips
 * soft pages (DESIGN.md): a page that is hard at suspend arrives unchanged; a page that is clean page cache at
 * suspend arrives equal to its file's content on the guest's disk (so the guest may keep trusting it); a free
 * or held page only has to be there.
 */
public enum VerificationMode {
    STRICT, SOFT;

    /**
     * Judges the content of one populated source frame that is present on the destination.
     *
     * @return null if acceptable, else why not
     */
    String judgeContent(SimGuest guest, long pfn, PageCategory category, long sourceFingerprint, long target) {
        if (this == STRICT || category == PageCategory.HARD) {
            return target == sourceFingerprint ? null : "content differs";
        }
        if (category == PageCategory.FREE) {
            return null;
        }
        Optional<FilePage> file = guest.filePage(pfn);
        if (file.isEmpty()) {
            // clean by state but not file content (bytes written into it by a test): nothing to re-read
            return target == sourceFingerprint ? null : "content differs";
        }
        Optional<Long> disk = guest.diskFingerprint(file.get().fileId(), file.get().offset());
        if (disk.isEmpty()) {
            return "clean cache of file " + file.get().fileId() + ", which is no longer on the disk";
        }
        return target == disk.get() ? null
                : "differs from file " + file.get().fileId() + " page " + file.get().offset() + " on disk";
    }

    /** What a passing page of {@code category} was checked for, in words. */
    String checkOf(PageCategory category) {
        return switch (category) {
            case HARD -> "identical";
            case CLEAN_CACHE -> this == STRICT ? "identical" : "equal to its file on disk";
            case FREE -> this == STRICT ? "identical" : "present";
            case HOLE -> "not populated";
        };
    }
}
