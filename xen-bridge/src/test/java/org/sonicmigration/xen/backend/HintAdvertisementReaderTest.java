package org.sonicmigration.xen.backend;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.sonicmigration.spi.HintUnavailableException;
import org.sonicmigration.xen.lib.XenCallException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading {@code data/sonic/} in one xenstore transaction, redone on conflicts, a bounded number of times. */
class HintAdvertisementReaderTest {
    static final String DIR = "/local/domain/7/data/sonic";
    static final int EAGAIN = 11;
    static final int EACCES = 13;

    /** A xenstore with transactions: reads see the values of when the transaction started; commits can conflict. */
    static class FakeStore implements HintStore {
        final Map<String, String> nodes = new HashMap<>();
        final Map<Integer, Map<String, String>> snapshots = new HashMap<>();
        /** Each open transaction's writes, applied when it commits. */
        final Map<Integer, Map<String, String>> pending = new HashMap<>();
        final List<String> log = new ArrayList<>();
        int nextTx = 1;
        /** Commits that will conflict, and reads that will fail with this errno (0: none). */
        int conflictingCommits;
        int failingReadErrno;
        /** Runs between the first read of a transaction and its commit: a guest writing meanwhile. */
        Runnable meanwhile = () -> { };

        void advertise(String state, String abi, String pages, String refs, String port) {
            nodes.put(DIR + "/state", state);
            nodes.put(DIR + "/abi", abi);
            nodes.put(DIR + "/area-pages", pages);
            nodes.put(DIR + "/dir-refs", refs);
            nodes.put(DIR + "/event-channel", port);
        }

        @Override
        public int startTransaction() {
            int tx = nextTx++;
            snapshots.put(tx, new HashMap<>(nodes));
            log.add("start " + tx);
            return tx;
        }

        @Override
        public Optional<String> read(int transaction, String path) {
            assertThat(transaction).as("every read inside a transaction").isNotZero();
            Map<String, String> view = snapshots.get(transaction);
            assertThat(view).as("transaction " + transaction + " is open").isNotNull();
            log.add("read " + transaction + " " + relative(path));
            if (failingReadErrno != 0) {
                int errno = failingReadErrno;
                failingReadErrno = 0;
                throw new XenCallException("xs_read", path, 0, errno);
            }
            if (path.endsWith("/state")) {
                meanwhile.run();
            }
            return Optional.ofNullable(view.get(path));
        }

        private static String relative(String path) {
            return path.startsWith(DIR + "/") ? path.substring(DIR.length() + 1) : path;
        }

        @Override
        public boolean endTransaction(int transaction, boolean abort) {
            Map<String, String> writes = pending.remove(transaction);
            Map<String, String> view = snapshots.remove(transaction);
            assertThat(view).as("transaction " + transaction + " ended once").isNotNull();
            log.add((abort ? "abort " : "commit ") + transaction);
            if (abort) {
                return true;
            }
            if (conflictingCommits > 0 || !view.equals(nodes)) {
                conflictingCommits = Math.max(0, conflictingCommits - 1);
                return false;
            }
            if (writes != null) {
                nodes.putAll(writes);
            }
            return true;
        }

        @Override
        public void write(int transaction, String path, String value) {
            assertThat(snapshots).as("transaction " + transaction + " is open").containsKey(transaction);
            log.add("write " + transaction + " " + relative(path) + " = " + value);
            pending.computeIfAbsent(transaction, t -> new HashMap<>()).put(path, value);
        }

        @Override
        public Optional<String> read(String path) {
            return Optional.ofNullable(nodes.get(path));
        }

        @Override
        public void write(String path, String value) {
            log.add("write " + path + " = " + value);
            nodes.put(path, value);
        }
    }

    @Test
    void aGuestWithoutDataSonicAdvertisesNothing() {
        FakeStore store = new FakeStore();
        assertThat(HintAdvertisementReader.read(store, DIR)).isEmpty();
        assertThat(store.log).containsExactly("start 1", "read 1 state", "read 1 abi", "read 1 area-pages",
                "read 1 dir-refs", "read 1 event-channel", "commit 1");
    }

    @Test
    void allKeysAreReadInOneTransaction() {
        FakeStore store = new FakeStore();
        store.advertise("ready", "1.0", "17", "8", "5");
        assertThat(HintAdvertisementReader.read(store, DIR)).hasValue(new HintAdvertisement(1, 0, 17, new int[] {8}, 5));
        assertThat(store.log).first().isEqualTo("start 1");
        assertThat(store.log).last().isEqualTo("commit 1");
    }

    @Test
    void aGuestReAdvertisingMeanwhileIsReadAgainNeverMixed() {
        FakeStore store = new FakeStore();
        store.advertise("ready", "1.0", "17", "8", "5");
        store.meanwhile = () -> {
            store.meanwhile = () -> { };
            store.advertise("ready", "1.0", "1025", "30 31", "9");   // a new shape, in the guest's own transaction
        };
        assertThat(HintAdvertisementReader.read(store, DIR)).hasValue(new HintAdvertisement(1, 0, 1025, new int[] {30, 31}, 9));
        assertThat(store.log).contains("commit 1", "start 2", "commit 2");
    }

    @Test
    void aConflictOnAReadIsRedoneAfterAbortingTheTransaction() {
        FakeStore store = new FakeStore();
        store.advertise("ready", "1.0", "17", "8", "5");
        store.failingReadErrno = EAGAIN;
        assertThat(HintAdvertisementReader.read(store, DIR)).isPresent();
        assertThat(store.log).startsWith("start 1", "read 1 state", "abort 1", "start 2");
    }

    @Test
    void conflictsAreRetriedABoundedNumberOfTimes() {
        FakeStore store = new FakeStore();
        store.advertise("ready", "1.0", "17", "8", "5");
        store.conflictingCommits = HintAdvertisementReader.MAX_ATTEMPTS - 1;
        assertThat(HintAdvertisementReader.read(store, DIR)).isPresent();

        FakeStore endless = new FakeStore();
        endless.advertise("ready", "1.0", "17", "8", "5");
        endless.conflictingCommits = Integer.MAX_VALUE;
        assertThatThrownBy(() -> HintAdvertisementReader.read(endless, DIR)).isInstanceOf(HintUnavailableException.class)
                .hasMessage("xenstore transactions reading data/sonic conflicted 16 times in a row (the guest keeps rewriting it)");
        assertThat(endless.log.stream().filter(l -> l.startsWith("start"))).hasSize(HintAdvertisementReader.MAX_ATTEMPTS);
        assertThat(endless.snapshots).as("no transaction left open").isEmpty();
    }

    @Test
    void anotherXenstoreFailureIsAReasonAndLeavesNoTransactionOpen() {
        FakeStore store = new FakeStore();
        store.advertise("ready", "1.0", "17", "8", "5");
        store.failingReadErrno = EACCES;
        assertThatThrownBy(() -> HintAdvertisementReader.read(store, DIR)).isInstanceOf(HintUnavailableException.class)
                .hasMessageStartingWith("reading data/sonic from xenstore failed: xs_read(" + DIR + "/state) failed");
        assertThat(store.snapshots).isEmpty();
        assertThat(store.log).last().isEqualTo("abort 1");
    }

    @Test
    void aPartialOrClosingAdvertisementIsAReason() {
        FakeStore store = new FakeStore();
        store.nodes.put(DIR + "/state", "closing");
        assertThatThrownBy(() -> HintAdvertisementReader.read(store, DIR)).isInstanceOf(HintUnavailableException.class)
                .hasMessage("data/sonic/state 'closing' is not 'ready'");
        FakeStore partial = new FakeStore();
        partial.nodes.put(DIR + "/abi", "1.0");
        assertThatThrownBy(() -> HintAdvertisementReader.read(partial, DIR)).isInstanceOf(HintUnavailableException.class)
                .hasMessage("data/sonic/state is missing");
    }
}
