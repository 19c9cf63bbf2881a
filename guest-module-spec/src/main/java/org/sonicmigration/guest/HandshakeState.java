package org.sonicmigration.guest;

import java.util.Optional;

/**
 * The guest's state in the suspend handshake ({@code SONIC_HS_*}) and its legal transitions. The guest
 * is the only writer of the state; dom0 only reads it, together with the handshake sequence number.
 *
 * <pre>
 *   IDLE --REQUEST--> REQUESTED --START_DROP--> DROPPING --PUBLISH_FINAL--> FINAL_READY --RELEASE--> IDLE
 *                     REQUESTED --PUBLISH_FINAL--> FINAL_READY   (nothing to drop)
 *   REQUESTED, DROPPING --FAIL--> FAILED --RELEASE--> IDLE
 *   any state --REQUEST--> REQUESTED (seq + 1: a new request supersedes the current handshake)
 *   IDLE --RELEASE--> IDLE (resume with nothing held)
 * </pre>
 */
public enum HandshakeState {
    IDLE(0),
    REQUESTED(1),
    DROPPING(2),
    FINAL_READY(3),
    FAILED(4);

    private final int code;

    HandshakeState(int code) {
        this.code = code;
    }

    /** The state byte of the handshake word. */
    public int code() {
        return code;
    }

    public static Optional<HandshakeState> fromCode(int code) {
        for (HandshakeState s : values()) {
            if (s.code == code) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** True for the states in which a handshake is under way and dom0 should keep waiting. */
    public boolean inProgress() {
        return this == REQUESTED || this == DROPPING;
    }

    /** Whether {@code event} is legal in this state. */
    public boolean allows(HandshakeEvent event) {
        return switch (event) {
            case REQUEST -> true;
            case START_DROP -> this == REQUESTED;
            case PUBLISH_FINAL -> this == REQUESTED || this == DROPPING;
            case FAIL -> this == REQUESTED || this == DROPPING;
            case RELEASE -> this == IDLE || this == FINAL_READY || this == FAILED;
        };
    }

    /**
     * The state after {@code event}.
     *
     * @throws IllegalHandshakeTransitionException if the event is not legal here
     */
    public HandshakeState next(HandshakeEvent event) {
        if (!allows(event)) {
            throw new IllegalHandshakeTransitionException(this, event);
        }
        return switch (event) {
            case REQUEST -> REQUESTED;
            case START_DROP -> DROPPING;
            case PUBLISH_FINAL -> FINAL_READY;
            case FAIL -> FAILED;
            case RELEASE -> IDLE;
        };
    }
}
