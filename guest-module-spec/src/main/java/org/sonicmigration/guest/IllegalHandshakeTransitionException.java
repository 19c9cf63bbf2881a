package org.sonicmigration.guest;

/** A guest-side component asked for a handshake step its current state does not allow. */
public final class IllegalHandshakeTransitionException extends IllegalStateException {
    public IllegalHandshakeTransitionException(HandshakeState from, HandshakeEvent event) {
        super("handshake event " + event + " is not allowed in state " + from);
    }
}
