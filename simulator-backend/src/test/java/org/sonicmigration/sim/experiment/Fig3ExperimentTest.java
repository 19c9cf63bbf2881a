package org.sonicmigration.sim.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sonicmigration.engine.SoftPolicy;
import org.sonicmigration.transport.Bandwidth;

/**
 * The paper's Figure 3 at its end points and one middle point, at the paper's scale (2 GiB guest,
 * 2 GiB of files read, 1 Gbit/s, virtual time; the whole sweep is {@code sonic experiment fig3}):
 * with a full page cache and no user memory SonicMigration sends at least 90% fewer pages, with the
 * guest full of user data it sends within 3% of pre-copy, and every run verifies. (On much smaller
 * guests the kernel's fixed-size parts weigh more and the gain at 0 MiB is smaller.)
 */
class Fig3ExperimentTest {

    @Test
    void softPagesVanishWithAFullCacheAndTheGainGoesAsUserMemoryFillsTheGuest() throws Exception {
        var config = new Fig3Experiment.Config(2L << 30, 2L << 30, List.of(0L, 1024L, 2000L), Bandwidth.parse("1Gbit"),
                true, 5);
        List<Fig3Experiment.Point> points = Fig3Experiment.run(config, p -> { });
        assertThat(points).hasSize(6).allMatch(Fig3Experiment.Point::verified);

        Fig3Experiment.Point base0 = points.get(0);
        Fig3Experiment.Point sonic0 = points.get(1);
        assertThat(base0.policy()).isEqualTo(SoftPolicy.OFF);
        assertThat(sonic0.policy()).isEqualTo(SoftPolicy.FREE_AND_CACHE);
        assertThat((double) sonic0.pagesSent()).isLessThanOrEqualTo(0.10 * base0.pagesSent());
        assertThat(sonic0.seconds()).isLessThan(base0.seconds());

        Fig3Experiment.Point baseFull = points.get(4);
        Fig3Experiment.Point sonicFull = points.get(5);
        assertThat((double) sonicFull.pagesSent()).isCloseTo(baseFull.pagesSent(),
                org.assertj.core.data.Percentage.withPercentage(3));

        // In between, the more user memory, the less there is to skip.
        assertThat(points.get(3).pagesSent()).isBetween(sonic0.pagesSent(), sonicFull.pagesSent());
    }
}
