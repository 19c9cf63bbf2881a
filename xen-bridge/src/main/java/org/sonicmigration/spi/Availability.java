package org.sonicmigration.spi;

import java.util.Objects;

/** Whether a backend can run on this machine, and a human-readable reason either way. */
public record Availability(boolean available, String reason) {
    public Availability {
        Objects.requireNonNull(reason, "reason");
    }

    public static Availability yes(String reason) {
        return new Availability(true, reason);
    }

    public static Availability no(String reason) {
        return new Availability(false, reason);
    }
}
