package org.sonicmigration.transport;

import java.io.IOException;

/**
 * The hand-over ended where nobody can say which host runs the guest (xl's "failed badly"): the
 * permission to start could not be written, the destination went silent after it, or it reported that
 * it could not start the guest and then did not hand it back. The source must neither resume nor
 * destroy its copy; an operator must look at the destination first.
 */
public final class HandoverUncertainException extends IOException {
    private static final long serialVersionUID = 1L;

    public HandoverUncertainException(String message, Throwable cause) {
        super(message, cause);
    }
}
