package org.sonicmigration.engine;

/**
 * A migration failed or was stopped. By the time this is thrown the source guest is as it was before
 * (running, or paused if its administrator had paused it) and its dirty log is off, except after an
 * uncertain hand-over ({@link Outcome#UNCERTAIN_SOURCE_PAUSED}), which keeps the source copy paused;
 * {@link #report()} says which and how far it got.
 */
public class MigrationException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient MigrationReport report;

    public MigrationException(String message, MigrationReport report, Throwable cause) {
        super(message, cause);
        this.report = report;
    }

    public MigrationReport report() {
        return report;
    }
}
