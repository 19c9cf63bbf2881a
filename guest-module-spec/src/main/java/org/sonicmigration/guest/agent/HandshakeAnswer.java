package org.sonicmigration.guest.agent;

import java.util.Objects;
import java.util.Optional;
import org.sonicmigration.guest.HandshakeWord;
import org.sonicmigration.guest.SoftSet;

/**
 * What the agent did with one request: the handshake word it left in the area (FINAL_READY or FAILED with
 * its reason) and, for FINAL_READY, the final set it published.
 *
 * @param word     the handshake word after the answer
 * @param finalSet the published final soft set, empty when the agent failed the handshake
 * @param cacheDropped whether the agent dropped clean page cache before scanning (policy asked, and it worked)
 * @param nanos    time from the request to the answer, by the agent's clock
 */
public record HandshakeAnswer(HandshakeWord word, Optional<SoftSet> finalSet, boolean cacheDropped, long nanos) {
    public HandshakeAnswer {
        Objects.requireNonNull(word, "word");
        Objects.requireNonNull(finalSet, "finalSet");
    }
}
