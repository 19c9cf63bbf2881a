package org.sonicmigration.transport;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Where a migration stream goes, and how the guest is handed over at the end: a peer over a
 * connection (with xl's handshake) or a file (no peer; the file is the copy).
 */
public interface StreamDestination extends AutoCloseable {

    /** Waits until the destination can take the stream and returns where to write it. */
    OutputStream open() throws IOException;

    /**
     * Called after the whole stream is written: waits until the destination has built the domain,
     * gives it permission to run, and returns once it runs there.
     *
     * @throws IOException if the destination failed; it has then discarded its copy
     */
    void handOver() throws IOException;

    /**
     * {@link #handOver()}, running {@code beforeStart} once the destination has confirmed the whole stream
     * and before it is allowed to start the guest: the point of no return, where the source gives up what
     * the new copy needs (Xen: the domain's name). If {@code beforeStart} throws, the destination is not
     * told to start. A destination without a peer (a file) starts nothing and never runs it.
     */
    default void handOver(Runnable beforeStart) throws IOException {
        handOver();
    }

    /**
     * Called between batches while the stream flows: throws if the destination has already given up
     * (e.g. it refused the stream), so the source stops early instead of sending the rest into the void.
     */
    default void checkPeer() throws IOException {}

    /**
     * After a failed write, the peer's refusal if it refused the stream (said why, or stopped reading):
     * a failed write alone only says the connection broke. Called only on the failure path; may wait
     * briefly.
     */
    default java.util.Optional<PeerRefusedException> refusal() {
        return java.util.Optional.empty();
    }

    /** A short description for reports, e.g. {@code tcp://host:port} or a path. */
    String describe();

    @Override
    void close() throws IOException;
}
