package org.sonicmigration.cli;

import org.sonicmigration.engine.MigrationListener;

/**
 * Where a command's migration events go while it runs: a terminal progress display, JSON lines, or
 * nowhere. Closed when the migration ends, before the report is printed.
 */
interface EventSink extends MigrationListener, AutoCloseable {
    /** Shows nothing. */
    EventSink SILENT = new EventSink() {};

    @Override
    default void close() {}
}
