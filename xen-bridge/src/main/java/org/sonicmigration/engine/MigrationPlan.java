package org.sonicmigration.engine;

import java.util.List;
import org.sonicmigration.transport.Bandwidth;

/**
 * What {@code sonic plan} measured on a running guest and what it predicts a migration of it would
 * send and take, with plain pre-copy and with soft pages skipped.
 *
 * @param domain         the guest's name or id
 * @param guestPages     populated frames
 * @param pfnLimit       frames a first pass walks (holes go as 8-byte entries)
 * @param softPages      pages the guest's live hint called soft (0 without a usable hint)
 * @param hint           how the hint read went, in words
 * @param sampleNanos    how long the dirty log was watched
 * @param dirtyRate      pages per second newly dirtied, measured over short slices of the sample
 * @param hotSetPages    the writable working set the slices imply ({@link DirtyModel}), at most guestPages
 * @param bandwidth      the link rate the times assume
 * @param plain          the prediction without skipping
 * @param soft           the prediction with soft pages skipped
 * @param notes          what the model leaves out, and fallbacks met while measuring
 */
public record MigrationPlan(String domain, long guestPages, long pfnLimit, long softPages, String hint,
                            long sampleNanos, double dirtyRate, long hotSetPages, Bandwidth bandwidth,
                            Prediction plain, Prediction soft, List<String> notes) {
    public MigrationPlan {
        notes = List.copyOf(notes);
    }

    /**
     * One predicted migration.
     *
     * @param pagesWithData  pages sent with their content, over all passes
     * @param pagesNoData    entries without data (holes, and with skipping the pages never sent)
     * @param bytes          stream bytes
     * @param nanos          transfer time at the plan's bandwidth
     * @param downtimeNanos  the final, paused pass's transfer time
     * @param livePasses     live passes before the pause
     */
    public record Prediction(long pagesWithData, long pagesNoData, long bytes, long nanos, long downtimeNanos,
                             int livePasses) {}
}
