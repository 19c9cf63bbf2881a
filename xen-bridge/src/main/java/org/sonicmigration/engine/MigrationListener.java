package org.sonicmigration.engine;

/**
 * Receives progress from a running migration: for progress bars and JSON-lines output. Called on the
 * engine's thread; implementations must be quick. The engine knows nothing of how events are shown.
 */
public interface MigrationListener {

    default void phase(Phase phase) {}

    /** A pass starts; {@code candidates} pages are due in it. */
    default void iterationStarted(int index, PassKind kind, long candidates) {}

    /** Pages of the current pass handled so far. */
    default void progress(int index, long done, long candidates, long bytesTotal) {}

    default void iterationFinished(IterationStats stats) {}

    /** The suspend handshake with the guest ended, with a final soft set or without one. */
    default void handshake(HandshakeOutcome outcome) {}

    /**
     * The engine chose a safe fallback (no or a broken hint area, a guest that did not answer): the
     * migration goes on with fewer pages skipped. By default shown as a notice.
     */
    default void fallback(String reason) {
        notice(reason);
    }

    /** Something the operator should know that is not a fallback (e.g. an uncertain hand-over). */
    default void notice(String message) {}

    MigrationListener NONE = new MigrationListener() {};
}
