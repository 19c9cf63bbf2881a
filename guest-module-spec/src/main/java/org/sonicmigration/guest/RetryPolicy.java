package org.sonicmigration.guest;

import java.time.Duration;

/**
 * How long a reader insists on a consistent copy of an area the guest keeps rewriting: at most
 * {@code maxAttempts} copies, sleeping between them from {@code initialBackoff} doubling up to
 * {@code maxBackoff}. The bound is what keeps a guest whose generation never settles from stalling dom0.
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {

    /** 8 attempts, sleeping 20 µs doubling to 2 ms between them: about 2.5 ms of waiting in all. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(8, Duration.ofNanos(20_000), Duration.ofMillis(2));

    public RetryPolicy {
        if (maxAttempts < 1 || maxAttempts > 1000) {
            throw new IllegalArgumentException("maxAttempts must be 1..1000: " + maxAttempts);
        }
        if (initialBackoff.isNegative() || maxBackoff.isNegative() || maxBackoff.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new IllegalArgumentException("backoff must be 0..1 s: " + initialBackoff + ", " + maxBackoff);
        }
    }

    /** {@code maxAttempts} attempts with no sleeping between them (spin hints only). */
    public static RetryPolicy spinning(int maxAttempts) {
        return new RetryPolicy(maxAttempts, Duration.ZERO, Duration.ZERO);
    }

    /** The pause before attempt {@code attempt} (1-based; attempt 1 has none), in nanoseconds. */
    long backoffNanos(int attempt) {
        if (attempt <= 1 || initialBackoff.isZero()) {
            return 0;
        }
        long ns = initialBackoff.toNanos();
        for (int i = 2; i < attempt && ns < maxBackoff.toNanos(); i++) {
            ns <<= 1;
        }
        return Math.min(ns, maxBackoff.toNanos());
    }
}
