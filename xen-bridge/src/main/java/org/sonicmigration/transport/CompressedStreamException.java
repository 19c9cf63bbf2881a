package org.sonicmigration.transport;

import java.io.IOException;

/** A compressed stream that is malformed, corrupt or cut short; the message is one line naming where. */
public final class CompressedStreamException extends IOException {
    private static final long serialVersionUID = 1L;

    public CompressedStreamException(String message) {
        super(message);
    }
}
