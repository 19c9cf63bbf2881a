package org.sonicmigration.xen.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sonicmigration.spi.BackendException;

/** A failed migration's resume: the guest runs again first, whatever becomes of its name. */
class ResumeOrderTest {

    @Test
    void theGuestResumesBeforeItsNameIsTakenBack() {
        List<String> done = new ArrayList<>();
        XenSourceDomain.resumeThenRename(() -> done.add("resume"), () -> done.add("rename"), "domu");
        assertThat(done).containsExactly("resume", "rename");
    }

    @Test
    void aFailedRenameStillLeavesTheGuestRunningAndSaysSo() {
        List<String> done = new ArrayList<>();
        assertThatThrownBy(() -> XenSourceDomain.resumeThenRename(() -> done.add("resume"), () -> {
            throw new BackendException("libxl_domain_rename failed");
        }, "domu")).isInstanceOf(BackendException.class)
                .hasMessage("the guest runs again, but its name could not be changed back from domu--migratedaway to "
                        + "domu (xl rename it): libxl_domain_rename failed");
        assertThat(done).containsExactly("resume");
    }

    @Test
    void aGuestThatGaveUpNoNameIsOnlyResumed() {
        List<String> done = new ArrayList<>();
        XenSourceDomain.resumeThenRename(() -> done.add("resume"), null, null);
        assertThat(done).containsExactly("resume");
    }

    @Test
    void anUncertainHandOverPausesTheCopyBeforeLiftingItsSuspendAndKeepsItsGivenUpName() {
        List<String> done = new ArrayList<>();
        XenSourceDomain.holdThenResume(() -> false, () -> done.add("pause"), () -> done.add("resume"));
        assertThat(done).containsExactly("pause", "resume");
    }

    @Test
    void aCopyItsAdministratorAlreadyPausedIsNotPausedTwice() {
        // Xen counts pauses: a second one would need a second xl unpause.
        List<String> done = new ArrayList<>();
        XenSourceDomain.holdThenResume(() -> true, () -> done.add("pause"), () -> done.add("resume"));
        assertThat(done).containsExactly("resume");
    }
}
