package org.sonicmigration.engine;

/**
 * Thrown inside the engine when it sees a request to stop (see {@link MigrationControl}); the engine turns
 * it into a rollback and a report with {@link Outcome#ABORTED}, so callers see a {@link MigrationException}.
 */
public final class MigrationAbortedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String reason;

    MigrationAbortedException(String reason, String where) {
        super("stopped on request (" + reason + ") " + where);
        this.reason = reason;
    }

    /** The requester's reason, e.g. {@code SIGINT}. */
    public String reason() {
        return reason;
    }
}
