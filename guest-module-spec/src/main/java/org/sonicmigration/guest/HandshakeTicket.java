package org.sonicmigration.guest;

/**
 * What dom0 saw of the handshake word just before it notified the guest. A final set is accepted only
 * from a handshake whose sequence number is above {@code observed.seq()}: the guest bumps the number
 * before it looks at its memory, so such a handshake began after dom0 took this ticket, hence after
 * dom0's last live fetch-and-clean of the dirty log.
 *
 * @param observed the handshake word read by {@link HintAreaReader#beginHandshake}
 */
public record HandshakeTicket(HandshakeWord observed) {

    /** Whether a handshake numbered {@code seq} started after this ticket was taken. */
    public boolean answeredBy(long seq) {
        return seq > observed.seq();
    }
}
