package org.sonicmigration.xen.backend;

import java.util.Optional;
import org.sonicmigration.spi.BackendException;

/**
 * One xenstore node that dom0 and a guest both write, with the compare-and-write the suspend
 * protocol needs done in a {@link XenStoreTransaction} (redone when it conflicts with the guest's own).
 */
final class XenStoreNode implements SuspendRequest.ControlNode {
    /** Conflicts in a row after which something other than a racing guest is going on. */
    static final int MAX_ATTEMPTS = 64;

    private final HintStore store;
    private final String path;

    XenStoreNode(HintStore store, String path) {
        this.store = store;
        this.path = path;
    }

    @Override
    public void write(String value) {
        store.write(path, value);
    }

    @Override
    public Optional<String> read() {
        return store.read(path);
    }

    @Override
    public boolean replaceIf(String expected, String replacement) {
        return XenStoreTransaction.run(store, MAX_ATTEMPTS, tx -> {
            if (!store.read(tx, path).filter(expected::equals).isPresent()) {
                return XenStoreTransaction.Decision.abort(false);
            }
            store.write(tx, path, replacement);
            return XenStoreTransaction.Decision.commit(true);
        }).orElseThrow(() -> new BackendException("xenstore transaction on " + path + " conflicted " + MAX_ATTEMPTS
                + " times in a row"));
    }
}
