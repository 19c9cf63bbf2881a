package org.sonicmigration.spi;

/** The backend cannot run on this machine at all (no hypervisor, missing library, no privilege). */
public class BackendUnavailableException extends BackendException {
    private static final long serialVersionUID = 1L;

    public BackendUnavailableException(String message) {
        super(message);
    }

    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
