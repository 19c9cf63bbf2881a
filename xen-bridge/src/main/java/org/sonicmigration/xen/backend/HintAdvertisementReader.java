package org.sonicmigration.xen.backend;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.sonicmigration.spi.BackendException;
import org.sonicmigration.spi.HintUnavailableException;

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
        Optional<Map<String, Optional<String>>> read;
        try {
            read = XenStoreTransaction.run(store, MAX_ATTEMPTS, tx -> {
                Map<String, Optional<String>> values = new HashMap<>();
                for (String key : HintAdvertisement.KEYS) {
                    values.put(key, store.read(tx, directory + "/" + key));
                }
                // Committed although it wrote nothing: the commit is what says the reads were consistent.
                return XenStoreTransaction.Decision.commit(values);
            });
        } catch (BackendException e) {
            throw new HintUnavailableException("reading data/sonic from xenstore failed: " + e.getMessage(), e);
        }
        Map<String, Optional<String>> v = read.orElseThrow(() -> new HintUnavailableException(
                "xenstore transactions reading data/sonic conflicted " + MAX_ATTEMPTS
                        + " times in a row (the guest keeps rewriting it)"));
        if (v.values().stream().allMatch(Optional::isEmpty)) {
            return Optional.empty();
        }
        return Optional.of(HintAdvertisement.parse(v::get));
    }
}
