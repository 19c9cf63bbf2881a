package org.sonicmigration.engine;

/**
 * What a pass over guest memory was for: a live pre-copy iteration, the catch-up after the suspend
 * handshake (still live), or the final pass with the guest suspended.
 */
public enum PassKind {
    LIVE, CATCH_UP, FINAL;

    public boolean paused() {
        return this == FINAL;
    }
}
