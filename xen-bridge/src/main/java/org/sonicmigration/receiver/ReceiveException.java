package org.sonicmigration.receiver;

/** A stream was well-formed but cannot be restored (e.g. a frame outside the domain). */
public final class ReceiveException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ReceiveException(String message) {
        super(message);
    }
}
