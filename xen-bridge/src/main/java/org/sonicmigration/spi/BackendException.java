package org.sonicmigration.spi;

/**
 * A hypervisor operation failed. The message names the operation and the cause in words a user
 * can act on; the cause chain keeps the details for {@code --debug}.
 */
public class BackendException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BackendException(String message) {
        super(message);
    }

    public BackendException(String message, Throwable cause) {
        super(message, cause);
    }
}
