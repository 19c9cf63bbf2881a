package org.sonicmigration.xen.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.sonicmigration.spi.BackendException;
import org.sonicmigration.xen.lib.XenCallException;

/**
 * The suspend request's withdrawal: a compare-and-write of {@code control/shutdown} in a transaction,
 * redone when the guest's own transaction conflicts with it, whether xenstored says so at the commit or
 * on a read, and never a write over a value the guest already changed.
 */
class XenStoreNodeTest {
    static final String NODE = "/local/domain/7/control/shutdown";

    static HintAdvertisementReaderTest.FakeStore store(String value) {
        HintAdvertisementReaderTest.FakeStore store = new HintAdvertisementReaderTest.FakeStore();
        store.nodes.put(NODE, value);
        return store;
    }

    @Test
    void theRequestIsWithdrawnWhenItIsStillThere() {
        var store = store("suspend");
        assertThat(new XenStoreNode(store, NODE).replaceIf("suspend", "")).isTrue();
        assertThat(store.nodes.get(NODE)).isEmpty();
        assertThat(store.log).containsExactly("start 1", "read 1 " + NODE, "write 1 " + NODE + " = ", "commit 1");
    }

    @Test
    void aGuestThatAcknowledgedMeanwhileKeepsItsAnswer() {
        var store = store("");
        assertThat(new XenStoreNode(store, NODE).replaceIf("suspend", "")).isFalse();
        assertThat(store.log).containsExactly("start 1", "read 1 " + NODE, "abort 1");
    }

    @Test
    void aConflictAtTheCommitIsRedone() {
        var store = store("suspend");
        store.conflictingCommits = 2;
        assertThat(new XenStoreNode(store, NODE).replaceIf("suspend", "")).isTrue();
        assertThat(store.log).containsSubsequence("commit 1", "start 2", "commit 2", "start 3", "commit 3");
        assertThat(store.nodes.get(NODE)).isEmpty();
    }

    @Test
    void aConflictOnAReadIsRedoneAfterAbortingTheTransaction() {
        var store = store("suspend");
        store.failingReadErrno = HintAdvertisementReaderTest.EAGAIN;
        assertThat(new XenStoreNode(store, NODE).replaceIf("suspend", "")).isTrue();
        assertThat(store.log).startsWith("start 1", "read 1 " + NODE, "abort 1", "start 2");
        assertThat(store.snapshots).as("no transaction left open").isEmpty();
    }

    @Test
    void endlessConflictsEndInAnErrorAndAnotherFailureAtOnce() {
        var endless = store("suspend");
        endless.conflictingCommits = Integer.MAX_VALUE;
        assertThatThrownBy(() -> new XenStoreNode(endless, NODE).replaceIf("suspend", ""))
                .isInstanceOf(BackendException.class)
                .hasMessage("xenstore transaction on " + NODE + " conflicted 64 times in a row");
        assertThat(endless.snapshots).isEmpty();

        var denied = store("suspend");
        denied.failingReadErrno = HintAdvertisementReaderTest.EACCES;
        assertThatThrownBy(() -> new XenStoreNode(denied, NODE).replaceIf("suspend", ""))
                .isInstanceOf(XenCallException.class);
        assertThat(denied.log).containsExactly("start 1", "read 1 " + NODE, "abort 1");
    }
}
