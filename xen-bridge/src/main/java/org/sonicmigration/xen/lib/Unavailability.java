package org.sonicmigration.xen.lib;

import org.sonicmigration.spi.BackendException;
import org.sonicmigration.ffi.libc_h;

/**
 * Classifies a failed open call: ENOENT on a Xen device node means "not a Xen dom0", EACCES/EPERM
 * means "not root"; anything else is a genuine call failure.
 */
final class Unavailability {
    private Unavailability() {}

    static BackendException of(String function, int errno, String what) {
        if (errno == libc_h.ENOENT()) {
            return new XenUnavailableException(function, what + " missing", errno, "not a Xen dom0");
        }
        if (errno == libc_h.EACCES() || errno == libc_h.EPERM()) {
            return new XenUnavailableException(function, "no permission on " + what, errno, "not root");
        }
        return new XenCallException(function, what, 0, errno);
    }
}
