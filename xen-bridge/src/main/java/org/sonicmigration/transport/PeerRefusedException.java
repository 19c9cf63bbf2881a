package org.sonicmigration.transport;

/**
 * The receiver gave up on the stream and said why — it found the stream malformed, had no room for the
 * domain, or stopped reading it for longer than the timeout. The source stops at once and resumes its
 * guest; {@link #reason()} is the receiver's own account, for the report.
 */
public final class PeerRefusedException extends XlHandshake.HandshakeException {
    private static final long serialVersionUID = 1L;
    private final String reason;

    public PeerRefusedException(String reason) {
        this(reason, null);
    }

    public PeerRefusedException(String reason, Throwable cause) {
        super("peer refused: " + reason, cause);
        this.reason = reason;
    }

    /** What the receiver said, without our prefix. */
    public String reason() {
        return reason;
    }
}
