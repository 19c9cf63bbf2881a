package org.sonicmigration.engine;

/**
 * A migration failed. By the time this is thrown the source guest runs again (if it was ever
 * paused) and its dirty log is off; {@link #report()} says how far it got.
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
