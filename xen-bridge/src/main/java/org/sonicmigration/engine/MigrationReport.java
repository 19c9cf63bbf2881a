package org.sonicmigration.engine;

import java.util.List;

/**
 * The facts of one finished (or failed) migration, for the terminal report and {@code --json}.
 *
 * @param domain       the migrated domain's name or id
 * @param backend      backend name
 * @param outcome      how it ended
 * @param error        the failure message, empty on success
 * @param iterations   every pass, the final paused one last
 * @param pagesSent    pages sent with data, over all passes
 * @param pagesNoData  pages sent without data
 * @param bytes        stream bytes written
 * @param totalNanos   from start to handover on the engine's clock
 * @param downtimeNanos from suspend until the destination confirmed (or the stream ended)
 * @param guestPages   pages of guest memory (populated frames)
 * @param notices      fallbacks and warnings, in order
 * @param soft         what soft-page pruning did
 */
public record MigrationReport(String domain, String backend, Outcome outcome, String error,
                              List<IterationStats> iterations, long pagesSent, long pagesNoData, long bytes,
                              long totalNanos, long downtimeNanos, long guestPages, List<String> notices,
                              SoftPageSummary soft) {

    public MigrationReport {
        iterations = List.copyOf(iterations);
        notices = List.copyOf(notices);
    }

    public boolean completed() {
        return outcome == Outcome.COMPLETED;
    }
}
