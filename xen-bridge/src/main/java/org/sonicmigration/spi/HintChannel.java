package org.sonicmigration.spi;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Optional;

/**
 * The transport of a guest's soft-page hints: the shared hint area (which the guest rewrites while we
 * read it, so readers must check its generation counter) and an event channel in both directions.
 * The engine does the protocol; a backend only moves bytes and events.
 */
public interface HintChannel extends AutoCloseable {

    /** The guest-shared area, read-only for dom0. Its content may change at any moment. */
    MemorySegment area();

    /** Sends the guest an event (the suspend-handshake notification). */
    void notifyGuest();

    /**
     * Waits for an event from the guest.
     *
     * @return false if none arrived within {@code timeout}
     */
    boolean awaitGuestEvent(Duration timeout) throws InterruptedException;

    /**
     * Tells the guest, before the handshake, whether it should keep its clean page cache (SPEC §6.2
     * step 2, {@code data/sonic/keep-cache}) instead of dropping it.
     *
     * @return false if this channel cannot carry the wish (the guest then follows its default: drop)
     */
    default boolean keepCache(boolean keep) {
        return !keep;
    }

    /**
     * Whether the guest publishes its live hint only while dom0 holds a lease on it (SPEC §4.4, ABI 1.1:
     * {@code data/sonic/publish = on-demand}); false for a guest that republishes periodically (ABI 1.0).
     */
    default boolean publishesOnDemand() {
        return false;
    }

    /**
     * Asks the guest to keep publishing its live hint for {@code lease} from now (SPEC §4.4,
     * {@code data/sonic/live-request}); a later call renews the lease, {@link Duration#ZERO} ends it. A guest
     * that publishes periodically ignores it. Never on the handshake's critical path: a store write.
     *
     * @return false if this channel cannot carry the request (an on-demand guest then publishes nothing new)
     */
    default boolean requestLiveHints(Duration lease) {
        return false;
    }

    /**
     * Whether the guest has taken this channel back (its module unloaded: SPEC §7.3, {@code state =
     * closing}, or its advertisement gone), so that waiting for an answer on it is pointless. Cheap
     * enough to ask every few tens of milliseconds while waiting.
     *
     * @return why, or empty while the channel stands (or the backend cannot tell)
     */
    default Optional<String> withdrawn() {
        return Optional.empty();
    }

    @Override
    void close();
}
