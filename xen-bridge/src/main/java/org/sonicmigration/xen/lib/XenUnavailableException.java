package org.sonicmigration.xen.lib;

import org.sonicmigration.spi.BackendUnavailableException;

/**
 * Xen is not usable on this machine at all: a device node or daemon is missing, the caller lacks the
 * privilege, or a library is not installed. The message says which, and what to do about it.
 */
public class XenUnavailableException extends BackendUnavailableException {
    private static final long serialVersionUID = 1L;

    private final String function;
    private final int errno;

    /** A library or precondition problem detected before any call. */
    public XenUnavailableException(String message) {
        super(message);
        this.function = "";
        this.errno = 0;
    }

    /**
     * An open call failed in a way that means "no Xen here".
     *
     * @param function the C function, e.g. {@code xc_interface_open}
     * @param reason   what is missing, e.g. {@code /dev/xen/privcmd missing}
     * @param errno    the errno it left
     * @param advice   what it means for the user, e.g. {@code not a Xen dom0}
     */
    public XenUnavailableException(String function, String reason, int errno, String advice) {
        super(function + " failed: " + reason + " (errno " + errno + ", " + Errno.describe(errno) + "): " + advice);
        this.function = function;
        this.errno = errno;
    }

    public String function() {
        return function;
    }

    public int errno() {
        return errno;
    }
}
