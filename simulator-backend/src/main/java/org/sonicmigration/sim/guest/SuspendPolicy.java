package org.sonicmigration.sim.guest;

import java.time.Duration;
import java.util.Objects;
import org.sonicmigration.sim.kernel.SimulatorException;

/**
 * How a simulated guest answers a suspend request: it suspends after a latency (the time its kernel needs to
 * freeze tasks and devices, during which it keeps running), or it never does (to exercise the migrator's
 * timeout path).
 */
public sealed interface SuspendPolicy {

    /** Suspends {@code latency} after the request. */
    record Cooperative(Duration latency) implements SuspendPolicy {
        public Cooperative {
            Objects.requireNonNull(latency, "latency");
            if (latency.isNegative()) {
                throw new SimulatorException("suspend latency must be >= 0");
            }
        }
    }

    /** Ignores suspend requests. */
    record Refuse() implements SuspendPolicy {}

    /** Suspends 2 ms after the request. */
    static SuspendPolicy cooperative() {
        return new Cooperative(Duration.ofMillis(2));
    }
}
