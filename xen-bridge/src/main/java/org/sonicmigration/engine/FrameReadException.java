package org.sonicmigration.engine;

import java.io.IOException;

/**
 * A page of the guest's RAM could not be read from the source (the backend's mapping failed), so the
 * migration cannot carry it: the engine stops and resumes the source rather than send a hole where
 * the guest has memory.
 */
public final class FrameReadException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long pfn;
    private final int errno;

    public FrameReadException(long pfn, int error) {
        super("guest frame 0x" + Long.toHexString(pfn) + " could not be read (error " + error + ")");
        this.pfn = pfn;
        this.errno = error;
    }

    /** The frame that failed. */
    public long pfn() {
        return pfn;
    }

    /** The backend's error, a negative errno on Xen. */
    public int error() {
        return errno;
    }
}
