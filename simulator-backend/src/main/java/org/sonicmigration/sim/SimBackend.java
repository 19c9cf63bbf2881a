package org.sonicmigration.sim;

import org.sonicmigration.spi.Availability;
import org.sonicmigration.spi.Backend;
import org.sonicmigration.spi.Hypervisor;

/**
 * The simulator as a backend: always available, ranked below Xen so real hardware wins automatic
 * selection. Each {@link #open()} is a new, empty host; create guests on it through {@link SimHypervisor}.
 */
public final class SimBackend implements Backend {
    public static final String NAME = "sim";
    /** Below the Xen backend's priority. */
    public static final int PRIORITY = 10;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "in-process simulated Xen host with simulated Linux guests";
    }

    @Override
    public Availability probe() {
        return Availability.yes("always available (in-process simulation)");
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public Hypervisor open() {
        return new SimHypervisor();
    }
}
