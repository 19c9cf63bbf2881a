package org.sonicmigration.guest;

/**
 * Why a guest ended a handshake in {@link HandshakeState#FAILED} (the reason byte of the handshake
 * word, {@code SONIC_FAIL_*}). Codes a reader does not know decode as {@link #UNKNOWN}.
 */
public enum HandshakeFailure {
    NONE(0),
    /** The guest's time budget ran out before it had a final set. */
    TIMEOUT(1),
    NO_MEMORY(2),
    /** Switched off in the guest, or its module is unloading. */
    DISABLED(3),
    INTERNAL(4),
    /** Not a wire value: a code this reader does not know. */
    UNKNOWN(-1);

    private final int code;

    HandshakeFailure(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static HandshakeFailure fromCode(int code) {
        for (HandshakeFailure f : values()) {
            if (f.code == code && f != UNKNOWN) {
                return f;
            }
        }
        return UNKNOWN;
    }
}
