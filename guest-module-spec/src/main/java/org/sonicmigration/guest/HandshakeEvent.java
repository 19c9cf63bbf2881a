package org.sonicmigration.guest;

/**
 * What the guest does to its handshake word; {@link HandshakeState#next(HandshakeEvent)} says which of
 * these are legal in which state.
 */
public enum HandshakeEvent {
    /** A request from dom0 was seen (or a newer one superseded the current handshake): seq + 1. */
    REQUEST,
    /** The guest starts dropping clean cache and scanning for the final set. */
    START_DROP,
    /** The final set for the current seq is complete. */
    PUBLISH_FINAL,
    /** The current handshake ends without a final set. */
    FAIL,
    /** The guest takes back anything it held (resume, hold timeout) and returns to idle. */
    RELEASE
}
