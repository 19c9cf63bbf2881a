package org.sonicmigration.guest;

import java.util.Set;

/**
 * The outcome of one read of the final soft set during the suspend handshake. Dom0 keeps waiting (until
 * its deadline) on {@link Pending} and {@link Torn}; it uses the set on {@link Ready}; anything else means
 * "no final set": every stale page is sent.
 */
public sealed interface FinalRead {

    /**
     * The guest's answer to our request.
     *
     * @param seq        the handshake that produced it (above the ticket's)
     * @param finalSet   PFNs the guest guarantees free (see SPEC.md), sized to the expected domain
     * @param flags      the final set's known flags
     * @param timeNanos  the guest's monotonic clock when it published the set
     */
    record Ready(long seq, SoftSet finalSet, Set<HintFlag> flags, long timeNanos) implements FinalRead {
        public Ready {
            flags = Set.copyOf(flags);
        }
    }

    /** No answer yet: the guest has not started a handshake after the ticket, or is still working on it. */
    record Pending(HandshakeWord current) implements FinalRead {
    }

    /** The guest ended the answering handshake without a final set. */
    record Failed(long seq, HandshakeFailure reason) implements FinalRead {
    }

    /** The answering handshake already ended and the guest took its pages back (it is idle again). */
    record Released(long seq) implements FinalRead {
    }

    /** The area, or the final set in it, breaks the ABI. */
    record Invalid(InvalidReason reason, String detail) implements FinalRead {
    }

    /** The handshake word kept changing while the final set was being copied. */
    record Torn(int attempts) implements FinalRead {
    }
}
