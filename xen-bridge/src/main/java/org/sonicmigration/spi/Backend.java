package org.sonicmigration.spi;

/**
 * A hypervisor backend as discovered through {@link java.util.ServiceLoader}. It can say, without side
 * effects, whether it can run on this machine and why not; only then is it opened. Higher
 * {@link #priority()} wins when the user does not force a backend, so real hardware beats the simulator.
 */
public interface Backend {

    /** Short name used on the command line ({@code --backend NAME}). */
    String name();

    /** One line for {@code sonic backends}. */
    String description();

    /** Checks, cheaply and without side effects, whether {@link #open()} can succeed here. */
    Availability probe();

    /** Ranking for automatic selection among available backends; higher wins. */
    int priority();

    /**
     * Connects to the hypervisor.
     *
     * @throws BackendUnavailableException when the backend cannot run here, with the reason
     */
    Hypervisor open();
}
