package org.sonicmigration.xen.backend;

import java.util.Optional;
import org.sonicmigration.spi.BackendException;
import org.sonicmigration.xen.lib.XenStore;

/**
 * One xenstore node that dom0 and a guest both write, with the compare-and-write the suspend
 * protocol needs done in a xenstore transaction (redone when it conflicts with the guest's own).
 */
final class XenStoreNode implements SuspendRequest.ControlNode {
    /** Conflicts in a row after which something other than a racing guest is going on. */
    static final int MAX_ATTEMPTS = 64;

    private final XenStore store;
    private final String path;

    XenStoreNode(XenStore store, String path) {
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
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            int tx = store.startTransaction();
            boolean ended = false;
            try {
                if (!store.read(tx, path).filter(expected::equals).isPresent()) {
                    ended = true;
                    store.endTransaction(tx, true);
                    return false;
                }
                store.write(tx, path, replacement);
                ended = true;
                if (store.endTransaction(tx, false)) {
                    return true;
                }
            } finally {
                if (!ended) {
                    store.endTransaction(tx, true);
                }
            }
        }
        throw new BackendException("xenstore transaction on " + path + " conflicted " + MAX_ATTEMPTS + " times in a row");
    }
}
