package org.sonicmigration.engine;

import java.util.List;

/**
 * What soft-page pruning did in one migration, for the report.
 *
 * @param policy          the policy asked for
 * @param hintArea        whether the guest offered a usable hint area
 * @param hintReads       live hint reads, and how many gave a usable snapshot
 * @param usableHints     reads that gave a fresh, valid snapshot
 * @param skippedLive     page skips in live iterations (a page skipped twice counts twice)
 * @param finalSoftPages  pages in the guest's final soft set (0 without one)
 * @param handshakeNanos  from the notification to the guest's answer (or the deadline)
 * @param handshake       how the handshake ended, in words
 * @param catchUpPages    stale, not-final-soft pages sent after the handshake while the guest still ran
 * @param unsentPages     pages never sent with data (populated on the destination without content)
 * @param finalSoftDirtied pages of the final soft set that the final dirty set holds — written after the
 *                        last live fetch-and-clean (a guest that lists its final set instead of holding it
 *                        may allocate and write them before the pause) — and therefore sent with data
 * @param fallbacks       every safe fallback taken, in order
 * @param livePublication how the guest published its live hint: on demand under dom0's lease (SPEC §4.4, with
 *                        how soon the first hint came), periodically (an ABI 1.0 guest), or not asked
 */
public record SoftPageSummary(SoftPolicy policy, boolean hintArea, long hintReads, long usableHints, long skippedLive,
                              long finalSoftPages, long handshakeNanos, String handshake, long catchUpPages,
                              long unsentPages, long finalSoftDirtied, List<String> fallbacks,
                              String livePublication) {
    public SoftPageSummary {
        fallbacks = List.copyOf(fallbacks);
    }

    static SoftPageSummary off(SoftPolicy policy) {
        return new SoftPageSummary(policy, false, 0, 0, 0, 0, 0, "not run", 0, 0, 0, List.of(), "not asked");
    }
}
