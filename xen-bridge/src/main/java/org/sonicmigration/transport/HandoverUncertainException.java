package org.sonicmigration.transport;

import java.io.IOException;

/**
 * The destination was given permission to start the guest and then went silent. Whether it runs the
 * guest is unknown, so the source must neither resume nor destroy its copy.
 */
public final class HandoverUncertainException extends IOException {
    private static final long serialVersionUID = 1L;

    public HandoverUncertainException(String message, Throwable cause) {
        super(message, cause);
    }
}
