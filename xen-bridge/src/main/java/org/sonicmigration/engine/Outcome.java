package org.sonicmigration.engine;

/**
 * How a migration ended. No outcome loses the guest: every failure leaves the source guest as it was
 * before the migration (running, or paused if its administrator had paused it), and the one case that
 * cannot be decided alone keeps the source copy paused.
 */
public enum Outcome {
    /** The destination has the guest; the source copy can go. */
    COMPLETED,
    /** Stopped by an error on this side; the source guest runs again (or stays paused, if it was). */
    FAILED_SOURCE_RESUMED,
    /**
     * The destination refused the stream, broke the connection, died or reported a failure before it was
     * told to start the guest; the source guest runs again (or stays paused, if it was).
     */
    DESTINATION_FAILED,
    /** Stopped on request ({@link MigrationControl}) before the point of no return; rolled back like a failure. */
    ABORTED,
    /**
     * The connection broke after the destination was told to run the guest, or it reported a failure
     * and did not hand the guest back: the source copy is kept paused, neither resumed nor destroyed,
     * because only an operator can tell which copy runs.
     */
    UNCERTAIN_SOURCE_PAUSED
}
