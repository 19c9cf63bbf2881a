package org.sonicmigration.engine;

/**
 * What one pass over guest memory did.
 *
 * @param index       0 for the first full pass, then 1, 2, …; the paused final pass is last
 * @param kind        live iteration, post-handshake catch-up, or the paused final pass
 * @param candidates  pages that were due in this pass
 * @param pagesSent   pages sent with data
 * @param pagesNoData pages sent as "allocate, no data" or as holes
 * @param skipped     due pages left unsent in this pass because the guest called them soft
 * @param bytes       stream bytes this pass wrote
 * @param nanos       time the pass took on the engine's clock
 * @param dirtyAfter  pages found dirty at the end of the pass (what the next pass must resend)
 */
public record IterationStats(int index, PassKind kind, long candidates, long pagesSent, long pagesNoData,
                             long skipped, long bytes, long nanos, long dirtyAfter) {
    /** True for the stop-and-copy pass. */
    public boolean paused() {
        return kind.paused();
    }
}
