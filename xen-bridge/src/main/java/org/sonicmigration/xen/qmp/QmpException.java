package org.sonicmigration.xen.qmp;

import org.sonicmigration.spi.BackendException;

/**
 * A QMP exchange failed: the socket could not be reached or broke, the peer spoke something other than
 * QMP, did not answer in time, or answered a command with an error (its class and description are in
 * the message, as QEMU gave them).
 */
public final class QmpException extends BackendException {
    private static final long serialVersionUID = 1L;

    public QmpException(String message) {
        super(message);
    }

    public QmpException(String message, Throwable cause) {
        super(message, cause);
    }
}
