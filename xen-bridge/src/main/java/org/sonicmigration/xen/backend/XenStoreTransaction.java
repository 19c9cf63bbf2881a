package org.sonicmigration.xen.backend;

import java.util.Objects;
import java.util.Optional;
import org.sonicmigration.ffi.libc_h;
import org.sonicmigration.spi.BackendException;
import org.sonicmigration.xen.lib.XenCallException;

/**
 * A piece of work on keys a guest also writes, done in a xenstore transaction and redone while it
 * conflicts with the guest's own: xenstored reports a conflict as {@code EAGAIN}, at the end of the
 * transaction or on a read inside it, and both mean "do it again". Every attempt's transaction is
 * ended (committed or aborted) whatever happens; any other failure ends the work at once.
 */
final class XenStoreTransaction {

    /** What one attempt decided: keep its writes (commit) or drop them (abort), and what it found. */
    record Decision<T>(T value, boolean commit) {
        Decision {
            Objects.requireNonNull(value, "value");
        }

        static <T> Decision<T> commit(T value) {
            return new Decision<>(value, true);
        }

        static <T> Decision<T> abort(T value) {
            return new Decision<>(value, false);
        }
    }

    /** One attempt inside the given transaction. */
    interface Work<T> {
        Decision<T> attempt(int transaction);
    }

    private XenStoreTransaction() {}

    /**
     * @return the value of the first attempt that did not conflict; empty if all {@code maxAttempts} did
     * @throws BackendException a xenstore failure other than a conflict
     */
    static <T> Optional<T> run(HintStore store, int maxAttempts, Work<T> work) {
        for (int attempt = 0; attempt < maxAttempts; attempt++) {
            int tx = store.startTransaction();
            boolean ended = false;
            try {
                Decision<T> d = work.attempt(tx);
                ended = true;
                if (!d.commit()) {
                    store.endTransaction(tx, true);
                    return Optional.of(d.value());
                }
                if (store.endTransaction(tx, false)) {
                    return Optional.of(d.value());
                }
            } catch (XenCallException e) {
                if (e.errno() != libc_h.EAGAIN()) {
                    throw e;
                }
            } finally {
                if (!ended) {
                    abortQuietly(store, tx);
                }
            }
        }
        return Optional.empty();
    }

    private static void abortQuietly(HintStore store, int tx) {
        try {
            store.endTransaction(tx, true);
        } catch (BackendException _) {
            // the transaction is dead either way; the attempt's own outcome is what the caller needs
        }
    }
}
