package org.sonicmigration.guest;

/**
 * The decoded 64-bit handshake word: bits 0-7 state, 8-15 failure reason, 32-63 handshake sequence
 * number (an unsigned 32-bit value the guest increments at each {@link HandshakeEvent#REQUEST}). The guest
 * writes the word with one atomic store, so a reader always sees the three parts together.
 *
 * @param seq       handshake sequence number, 0 .. 2^32-1
 * @param stateCode raw state byte; {@link #state()} decodes it
 * @param reason    failure reason, meaningful in {@link HandshakeState#FAILED}
 */
public record HandshakeWord(long seq, int stateCode, HandshakeFailure reason) {

    public static final long MAX_SEQ = 0xFFFF_FFFFL;

    public HandshakeWord {
        if (seq < 0 || seq > MAX_SEQ) {
            throw new IllegalArgumentException("handshake seq out of range: " + seq);
        }
        if (stateCode < 0 || stateCode > 0xFF) {
            throw new IllegalArgumentException("handshake state byte out of range: " + stateCode);
        }
    }

    public HandshakeWord(long seq, HandshakeState state, HandshakeFailure reason) {
        this(seq, state.code(), reason);
    }

    /** Decodes any 64-bit value; unknown state bytes are kept raw (see {@link #state()}). */
    public static HandshakeWord decode(long word) {
        return new HandshakeWord(word >>> 32, (int) (word & 0xFF), HandshakeFailure.fromCode((int) ((word >>> 8) & 0xFF)));
    }

    /** The state, or {@link HandshakeState#IDLE} ... {@link HandshakeState#FAILED}; empty if the byte is unknown. */
    public java.util.Optional<HandshakeState> state() {
        return HandshakeState.fromCode(stateCode);
    }

    public long encode() {
        int reasonCode = reason == HandshakeFailure.UNKNOWN ? 0xFF : reason.code();
        return (seq << 32) | ((long) (reasonCode & 0xFF) << 8) | (stateCode & 0xFF);
    }
}
