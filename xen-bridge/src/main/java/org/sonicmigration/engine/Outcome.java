package org.sonicmigration.engine;

/** How a migration ended. No outcome loses the guest: failures resume the source, and the one case that cannot be decided
 * alone keeps the source copy paused. */
public enum Outcome {
    /** The destination has the guest; the source copy can go. */
    COMPLETED,
    /** Stopped by an error; the source guest was resumed. */
    FAILED_SOURCE_RESUMED,
    /**
     * The connection broke after the destination was told to run the guest: the source copy is kept
     * paused, not destroyed, because only an operator can tell which copy runs.
     */
    UNCERTAIN_SOURCE_PAUSED
}
