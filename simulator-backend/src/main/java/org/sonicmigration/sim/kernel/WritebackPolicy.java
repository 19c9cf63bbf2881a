package org.sonicmigration.sim.kernel;

import java.time.Duration;

/**
 * When the guest kernel writes dirty page cache back to disk: pages dirty for longer than {@code expire}
 * are written at the next flusher wake-up, every {@code interval}; each write takes {@code latency}.
 * Linux defaults: 30 s ({@code dirty_expire_centisecs}), 5 s ({@code dirty_writeback_centisecs}).
 */
public record WritebackPolicy(Duration expire, Duration interval, Duration latency) {
    public WritebackPolicy {
        if (expire.isNegative() || interval.isNegative() || interval.isZero() || latency.isNegative()) {
            throw new SimulatorException("writeback policy needs expire >= 0, interval > 0, latency >= 0");
        }
    }

    public static WritebackPolicy linuxDefaults() {
        return new WritebackPolicy(Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofMillis(10));
    }
}
