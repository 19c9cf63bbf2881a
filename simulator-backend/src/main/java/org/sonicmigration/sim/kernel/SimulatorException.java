package org.sonicmigration.sim.kernel;

import org.sonicmigration.spi.BackendException;

/** A simulator operation or configuration was refused; the message says what and why, in one line. */
public class SimulatorException extends BackendException {
    private static final long serialVersionUID = 1L;

    public SimulatorException(String message) {
        super(message);
    }

    public SimulatorException(String message, Throwable cause) {
        super(message, cause);
    }
}
