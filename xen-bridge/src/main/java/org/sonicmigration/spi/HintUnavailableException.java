package org.sonicmigration.spi;

/**
 * The guest advertises a soft-page hint channel that this backend cannot use, for the reason in the
 * message (one line, e.g. "guest advertises abi 2.0, this dom0 speaks 1.x" or "data/sonic/state is
 * 'closing', not 'ready'"). Thrown by {@link SourceDomain#hintChannel()} only; it never fails a
 * migration: the engine migrates with plain pre-copy and names the reason in its notice. A guest that
 * advertises nothing at all is not an error: {@code hintChannel()} then returns empty.
 */
public class HintUnavailableException extends BackendException {
    private static final long serialVersionUID = 1L;

    public HintUnavailableException(String reason) {
        super(reason);
    }

    public HintUnavailableException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
