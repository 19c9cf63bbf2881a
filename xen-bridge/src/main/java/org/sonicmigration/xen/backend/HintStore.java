package org.sonicmigration.xen.backend;

import java.util.Optional;

import org.sonicmigration.xen.lib.XenCallException;
import org.sonicmigration.xen.lib.XenStore;

/**
 * The part of xenstore the backend uses on keys a guest also writes: transactional reads of the guest's
 * {@code data/sonic/} keys, the writes dom0 makes there ({@code keep-cache}, {@code live-request}), and the guest's
 * {@code control/shutdown} node, read and written in and out of transactions. Failures are
 * {@link XenCallException}s, as {@link XenStore} throws them ({@code EAGAIN} for a transaction that must
 * be redone).
 */
interface HintStore {

    /** Starts a transaction; end it with {@link #endTransaction}. */
    int startTransaction();

    /** The value at {@code path} as {@code transaction} sees it; empty if there is no such node. */
    Optional<String> read(int transaction, String path);

    /** @return false if the transaction conflicted with another writer and must be redone */
    boolean endTransaction(int transaction, boolean abort);

    void write(String path, String value);

    /** A write inside {@code transaction}, seen by others only if the transaction commits. */
    void write(int transaction, String path, String value);

    /** The value at {@code path} outside any transaction; empty if there is no such node. */
    Optional<String> read(String path);

    /** The real xenstore. */
    static HintStore of(XenStore store) {
        return new HintStore() {
            @Override
            public int startTransaction() {
                return store.startTransaction();
            }

            @Override
            public Optional<String> read(int transaction, String path) {
                return store.read(transaction, path);
            }

            @Override
            public boolean endTransaction(int transaction, boolean abort) {
                return store.endTransaction(transaction, abort);
            }

            @Override
            public void write(String path, String value) {
                store.write(path, value);
            }

            @Override
            public void write(int transaction, String path, String value) {
                store.write(transaction, path, value);
            }

            @Override
            public Optional<String> read(String path) {
                return store.read(path);
            }
        };
    }
}
