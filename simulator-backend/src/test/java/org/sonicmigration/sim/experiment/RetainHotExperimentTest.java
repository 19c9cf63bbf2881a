package org.sonicmigration.sim.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sonicmigration.transport.Bandwidth;

/**
 * Hot-page retention pays where it should: without it the handshake drops the hot set and the guest reads it
 * back from the disk after the migration; with it the hot set arrives cached.
 */
class RetainHotExperimentTest {

    private static final RetainHotExperiment.Config SMALL = new RetainHotExperiment.Config(256L << 20, 128L << 20,
            16L << 20, Bandwidth.parse("1Gbit"), Duration.ofSeconds(30), 7);

    @Test
    void withoutRetentionTheHotSetIsReadBackAfterTheMigrationAndWithItNot() throws Exception {
        List<RetainHotExperiment.Row> rows = RetainHotExperiment.run(SMALL, r -> { });
        RetainHotExperiment.Row pre = rows.get(0);
        RetainHotExperiment.Row sonic = rows.get(1);
        RetainHotExperiment.Row retain = rows.get(3);
        System.out.println(rows);
        assertThat(rows).allMatch(RetainHotExperiment.Row::verified).allMatch(RetainHotExperiment.Row::warmed);
        assertThat(pre.coldAtResume()).as("pre-copy keeps the whole cache").isZero();
        assertThat(pre.rereadAfter()).isZero();
        // the hot set is 4096 pages; the reader re-reads some of it itself between the handshake and the pause
        assertThat(sonic.coldAtResume()).as("SonicMigration drops the hot set with the rest of the cache")
                .isGreaterThan(sonic.hotPages() / 2);
        assertThat(sonic.rereadAfter()).isEqualTo(sonic.coldAtResume());
        // a page read back at 96 MiB/s costs about 40.7 us of the reader's time
        assertThat(sonic.warmSeconds()).isGreaterThan(sonic.coldAtResume() * 40e-6);
        assertThat(retain.coldAtResume()).as("--retain-hot brings the hot set over cached").isZero();
        assertThat(retain.rereadAfter()).isZero();
        assertThat(retain.warmSeconds()).isZero();
        assertThat(retain.pagesSent()).as("and pays for it in pages sent")
                .isGreaterThan(sonic.pagesSent() - sonic.rereadLive() + retain.hotPages() / 2);
    }
}
