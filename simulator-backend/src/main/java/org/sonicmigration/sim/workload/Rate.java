package org.sonicmigration.sim.workload;

/**
 * Turns a rate (units per second) into whole units per time step, carrying the remainder, so that the
 * units done depend only on the total time, not on how it was cut into steps.
 */
final class Rate {
    private static final long NANOS = 1_000_000_000L;
    private final long perSecond;
    private long carry;

    Rate(long perSecond) {
        this.perSecond = perSecond;
    }

    /** Units due for {@code dtNanos} of time ({@code dtNanos} at most one second). */
    long take(long dtNanos) {
        long whole;
        try {
            whole = Math.multiplyExact(perSecond, dtNanos);
        } catch (ArithmeticException e) {
            return perSecond; // beyond 9.2e18 unit-nanoseconds in one step: a second's worth is plenty
        }
        long total = whole + carry;
        carry = total % NANOS;
        return total / NANOS;
    }
}
