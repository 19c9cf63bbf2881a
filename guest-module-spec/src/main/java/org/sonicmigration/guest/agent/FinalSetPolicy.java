package org.sonicmigration.guest.agent;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How the reference agent answers dom0's request for a final soft set (SPEC.md §6.2). A user-space agent
 * can only observe the allocator, never hold its locks or its pages, so it cannot give the final set the
 * guarantee a module gives (§5, F1–F3); the default therefore declines. See {@link ReferenceAgent} for why
 * the opt-in policy is still a reasonable bet and where its residual risk lies.
 */
public sealed interface FinalSetPolicy {

    /** SPEC.md §6.2 step 5's budget: the guest should answer within 1.5 s (dom0 waits 2 s). */
    Duration DEFAULT_BUDGET = Duration.ofMillis(1500);

    /**
     * Answer every request with FAILED/DISABLED: dom0 sends every stale page (no data is at risk; the live
     * hint still lets dom0 postpone soft pages during the live rounds).
     */
    record Decline() implements FinalSetPolicy {
    }

    /**
     * Answer with the frames reported free by two flags-only scans, both made after the request was visible
     * (the second may be cut short by the budget, then only the frames it reached count); optionally drop clean
     * page cache first (by writing {@code 1} to {@code dropCaches},
     * {@code /proc/sys/vm/drop_caches} on Linux), so that the cache it drops is free when scanned.
     *
     * @param budget     the time from the request to the answer; past it the agent publishes what it has
     *                   verified twice, or fails with TIMEOUT if that is nothing
     * @param dropCaches the drop_caches file to write, or empty to keep the cache
     */
    record FreeSeenTwice(Duration budget, Optional<Path> dropCaches) implements FinalSetPolicy {
        public FreeSeenTwice {
            Objects.requireNonNull(budget, "budget");
            Objects.requireNonNull(dropCaches, "dropCaches");
            if (budget.isNegative() || budget.isZero() || budget.compareTo(Duration.ofSeconds(10)) > 0) {
                throw new IllegalArgumentException("final-set budget must be in (0, 10 s], got " + budget);
            }
        }
    }

    static FinalSetPolicy decline() {
        return new Decline();
    }

    /** Free pages seen twice, cache kept, default budget. */
    static FinalSetPolicy freeSeenTwice() {
        return new FreeSeenTwice(DEFAULT_BUDGET, Optional.empty());
    }

    /** Free pages seen twice after writing {@code 1} to {@code dropCaches}, default budget. */
    static FinalSetPolicy freeSeenTwiceAfterDrop(Path dropCaches) {
        return new FreeSeenTwice(DEFAULT_BUDGET, Optional.of(dropCaches));
    }
}
