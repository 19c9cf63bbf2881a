package org.sonicmigration.engine;

/**
 * Receives progress from a running migration: for progress bars and JSON-lines output. Called on the
 * engine's thread; implementations must be quick.
 */
public interface MigrationListener {

    default void phase(Phase phase) {}

    /** A pass starts; {@code candidates} pages are due in it. */
    default void iterationStarted(int index, PassKind kind, long candidates) {}

    /** Pages of the current pass handled so far. */
    default void progress(int index, long done, long candidates, long bytesTotal) {}

    default void iterationFinished(IterationStats stats) {}

    /** The engine chose a safe fallback (e.g. a guest that did not answer); the text says why. */
    default void notice(String message) {}

    MigrationListener NONE = new MigrationListener() {};
}
