package org.sonicmigration.xen.backend;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.sonicmigration.ffi.libc_h;
import org.sonicmigration.spi.BackendException;
import org.sonicmigration.spi.HintUnavailableException;
import org.sonicmigration.xen.lib.XenCallException;

/**
 * Reads a guest's hint advertisement from xenstore consistently: all of {@code data/sonic/}'s keys in one
 * read-only transaction, so that a guest re-advertising meanwhile (SPEC §7.3: {@code closing}, new keys,
 * {@code ready}) can never give a mix of two advertisements. A transaction that conflicts ({@code EAGAIN},
 * on a read or at its end) is redone, at most {@link #MAX_ATTEMPTS} times.
 */
final class HintAdvertisementReader {
    /** Conflicts in a row after which the guest is taken to be rewriting its keys without end. */
    static final int MAX_ATTEMPTS = 16;

    private HintAdvertisementReader() {}

    /**
     * @param directory the guest's {@code /local/domain/<domid>/data/sonic}
     * @return empty if the guest advertises nothing (none of the keys exists)
     * @throws HintUnavailableException the advertisement is incomplete, not ready, malformed or out of
     *                                  bounds, or xenstore could not be read
     */
    static Optional<HintAdvertisement> read(HintStore store, String directory) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Optional<Map<String, Optional<String>>> values = readOnce(store, directory);
            if (values.isEmpty()) {
                continue;
            }
            Map<String, Optional<String>> v = values.get();
            if (v.values().stream().allMatch(Optional::isEmpty)) {
                return Optional.empty();
            }
            return Optional.of(HintAdvertisement.parse(v::get));
        }
        throw new HintUnavailableException("xenstore transactions reading data/sonic conflicted " + MAX_ATTEMPTS
                + " times in a row (the guest keeps rewriting it)");
    }

    /** The keys' values, or empty when the transaction conflicted. */
    private static Optional<Map<String, Optional<String>>> readOnce(HintStore store, String directory) {
        int tx;
        try {
            tx = store.startTransaction();
        } catch (BackendException e) {
            throw new HintUnavailableException("cannot start a xenstore transaction to read data/sonic: " + e.getMessage(), e);
        }
        boolean ended = false;
        try {
            Map<String, Optional<String>> values = new HashMap<>();
            for (String key : HintAdvertisement.KEYS) {
                values.put(key, store.read(tx, directory + "/" + key));
            }
            ended = true;
            return store.endTransaction(tx, false) ? Optional.of(values) : Optional.empty();
        } catch (XenCallException e) {
            if (e.errno() == libc_h.EAGAIN()) {
                return Optional.empty();
            }
            throw new HintUnavailableException("reading data/sonic from xenstore failed: " + e.getMessage(), e);
        } catch (BackendException e) {
            throw new HintUnavailableException("reading data/sonic from xenstore failed: " + e.getMessage(), e);
        } finally {
            if (!ended) {
                abort(store, tx);
            }
        }
    }

    private static void abort(HintStore store, int tx) {
        try {
            store.endTransaction(tx, true);
        } catch (BackendException _) {
            // the transaction is dead either way; the read's own outcome is what the caller needs
        }
    }
}
