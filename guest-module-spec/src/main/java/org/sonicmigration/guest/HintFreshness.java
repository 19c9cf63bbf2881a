package org.sonicmigration.guest;

import java.time.Duration;

/**
 * Dom0's judgement of whether the live hint is still being refreshed: stale once its generation has not
 * moved for {@code stalePeriods} of the guest's declared period (clamped to 100 ms .. 10 s, 1 s if
 * undeclared, so a guest cannot buy itself an endless grace). Also counts consecutive torn reads, after
 * which a guest whose area never settles is ignored for the rest of the migration. Not thread-safe:
 * one per migration.
 */
public final class HintFreshness {

    public static final int DEFAULT_STALE_PERIODS = 3;
    public static final int DEFAULT_MAX_TORN_STREAK = 4;
    static final long MIN_PERIOD_NANOS = Duration.ofMillis(100).toNanos();
    static final long MAX_PERIOD_NANOS = Duration.ofSeconds(10).toNanos();
    static final long UNDECLARED_PERIOD_NANOS = Duration.ofSeconds(1).toNanos();

    /** What dom0 should do with the live hint after a read. */
    public enum Verdict {
        /** Use this snapshot. */
        FRESH,
        /** Valid but not refreshed lately: treat as no hint for now. */
        STALE,
        /** This read gave no snapshot: no hint this time. */
        UNUSABLE,
        /** Too many consecutive torn reads: stop reading hints for this migration. */
        GIVE_UP
    }

    private final int stalePeriods;
    private final int maxTornStreak;
    private long lastGeneration = -1;
    private long lastChangeNanos;
    private int tornStreak;

    public HintFreshness() {
        this(DEFAULT_STALE_PERIODS, DEFAULT_MAX_TORN_STREAK);
    }

    public HintFreshness(int stalePeriods, int maxTornStreak) {
        if (stalePeriods < 1 || maxTornStreak < 1) {
            throw new IllegalArgumentException("stalePeriods and maxTornStreak must be positive: " + stalePeriods + ", " + maxTornStreak);
        }
        this.stalePeriods = stalePeriods;
        this.maxTornStreak = maxTornStreak;
    }

    /**
     * Records one read made at dom0's monotonic time {@code nowNanos} and says what to do with it.
     */
    public Verdict observe(HintSnapshot snapshot, long nowNanos) {
        switch (snapshot) {
            case HintSnapshot.Torn t -> {
                tornStreak++;
                return tornStreak >= maxTornStreak ? Verdict.GIVE_UP : Verdict.UNUSABLE;
            }
            case HintSnapshot.Invalid i -> {
                tornStreak = 0;
                return Verdict.UNUSABLE;
            }
            case HintSnapshot.Valid v -> {
                tornStreak = 0;
                if (v.generation() != lastGeneration) {
                    lastGeneration = v.generation();
                    lastChangeNanos = nowNanos;
                    return Verdict.FRESH;
                }
                return nowNanos - lastChangeNanos > stalePeriods * periodNanos(v) ? Verdict.STALE : Verdict.FRESH;
            }
        }
    }

    /** The period dom0 holds a guest to: its declared one clamped to 100 ms .. 10 s, 1 s if undeclared. */
    public static long periodNanos(HintSnapshot.Valid v) {
        return v.publishPeriodMillis() == 0 ? UNDECLARED_PERIOD_NANOS
                : Math.clamp(v.publishPeriodMillis() * 1_000_000L, MIN_PERIOD_NANOS, MAX_PERIOD_NANOS);
    }
}
