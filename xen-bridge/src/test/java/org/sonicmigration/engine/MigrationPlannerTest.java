package org.sonicmigration.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sonicmigration.spi.Clock;
import org.sonicmigration.spi.RunState;
import org.sonicmigration.spi.VirtualClock;
import org.sonicmigration.transport.Bandwidth;

/**
 * {@code sonic plan}'s measurements and model: log-dirty is on only for the sample window (also when
 * the plan fails), pages the guest wrote in the window are not counted soft, and the byte count of a
 * pass is what the engine's stream really takes.
 */
class MigrationPlannerTest {
    static final Bandwidth GBIT = Bandwidth.parse("1Gbit");

    static MigrationPlanner planner(GuestScript script, Clock clock) {
        return new MigrationPlanner(script.options(), GBIT, clock);
    }

    @Test
    void logDirtyIsOnOnlyForTheSampleAndTheGuestKeepsRunning() throws Exception {
        GuestScript script = new GuestScript(64).holes(60, 61, 62, 63).hintRange(0, 0, 32).writes(1, 3, 40)
                .writes(2, 40, 41);
        ScriptedDomain d = new ScriptedDomain(script);
        MigrationPlan plan = planner(script, new VirtualClock()).plan(d, Duration.ofSeconds(1));
        assertThat(d.events).first().isEqualTo("log-dirty on");
        assertThat(d.events).last().isEqualTo("log-dirty off");
        assertThat(d.state()).isEqualTo(RunState.RUNNING);
        assertThat(plan.guestPages()).isEqualTo(60);
        // Page 3 was soft in the hint but written in the window: hard now.
        assertThat(plan.softPages()).isEqualTo(31);
        assertThat(plan.soft().pagesNoData()).isEqualTo(4 + 31);
        assertThat(plan.dirtyRate()).isPositive();
    }

    @Test
    void aPlanThatFailsMidSampleTurnsLogDirtyOff() {
        GuestScript script = new GuestScript(64).hintRange(0, 0, 32);
        ScriptedDomain d = new ScriptedDomain(script);
        Clock interrupted = new Clock() {
            int sleeps;

            @Override
            public long nanoTime() {
                return 0;
            }

            @Override
            public void sleepNanos(long nanos) throws InterruptedException {
                if (++sleeps == 3) {
                    throw new InterruptedException("operator pressed ^C");
                }
            }

            @Override
            public boolean isVirtual() {
                return true;
            }
        };
        assertThatThrownBy(() -> planner(script, interrupted).plan(d, Duration.ofSeconds(1)))
                .isInstanceOf(InterruptedException.class);
        assertThat(d.events).containsExactly("log-dirty on", "fetch 0", "fetch 1", "fetch 2", "log-dirty off");
        assertThat(d.state()).isEqualTo(RunState.RUNNING);
    }

    @Test
    void aPassCostsWhatTheEnginesStreamCosts() throws Exception {
        GuestScript script = new GuestScript(3000).holes(5, 6, 7, 2999).withoutHintArea().maxIterations(1);
        ScriptedMigration run = ScriptedMigration.run(script);
        IterationStats first = run.report().iterations().getFirst();
        assertThat(MigrationPlanner.bytes(first.pagesSent(), first.pagesNoData())).isEqualTo(first.bytes());
        assertThat(first.pagesSent()).isEqualTo(2996);
    }

    @Test
    void aQuietGuestGoesInOnePassAndSkippingSendsExactlyTheSoftPagesLess() {
        MigrationPlanner p = new MigrationPlanner(MigrationOptions.defaults().withBandwidth(Optional.of(GBIT)), GBIT,
                Clock.SYSTEM);
        DirtyModel quiet = new DirtyModel(0, 1000);
        qt().withExamples(300).forAll(integers().between(1, 1 << 20), integers().between(0, 1 << 20))
                .checkAssert((ram, softRaw) -> {
                    long soft = softRaw % (ram + 1);
                    MigrationPlan.Prediction plain = p.predict(ram, 100, 0, quiet, ram);
                    MigrationPlan.Prediction skipping = p.predict(ram - soft, 100, soft, quiet, ram);
                    assertThat(plain.livePasses()).isEqualTo(1);
                    assertThat(plain.pagesWithData()).isEqualTo((long) ram);
                    assertThat(skipping.pagesWithData()).isEqualTo(ram - soft);
                    assertThat(skipping.pagesNoData()).isEqualTo(100 + soft);
                    assertThat(skipping.nanos()).isLessThanOrEqualTo(plain.nanos());
                });
    }

    @Test
    void aBusyGuestIsPlannedWithXensFiveLivePassesAsTheEngineRunsIt() {
        // A hot set that refills in every pass: the dirty set never shrinks and never gets under 50 pages.
        DirtyModel busy = new DirtyModel(1e6, 5000);
        MigrationOptions xens = MigrationOptions.defaults();
        MigrationPlanner p = new MigrationPlanner(xens, GBIT, Clock.SYSTEM);
        assertThat(p.predict(100_000, 0, 0, busy, 100_000).livePasses()).isEqualTo(5);
        MigrationPlanner early = new MigrationPlanner(xens.withStopWhenNotShrinking(true), GBIT, Clock.SYSTEM);
        assertThat(early.predict(100_000, 0, 0, busy, 100_000).livePasses()).isEqualTo(2);
        qt().withExamples(50).forAll(integers().between(1, 12)).checkAssert(n -> assertThat(
                new MigrationPlanner(xens.withMaxIterations(n), GBIT, Clock.SYSTEM)
                        .predict(100_000, 0, 0, busy, 100_000).livePasses()).isEqualTo(n));
    }

    @Test
    void theDirtyModelReproducesWhatItWasFittedTo() {
        qt().withExamples(300).forAll(doubles().between(10, 1e6), doubles().between(100, 1e6))
                .checkAssert((rate, hot) -> {
                    DirtyModel truth = new DirtyModel(rate, hot);
                    double slice = 0.3;
                    DirtyModel fitted = DirtyModel.fit(truth.distinct(slice), slice, truth.distinct(3), 3, 1e7);
                    assertThat(fitted.distinct(1.7)).isCloseTo(truth.distinct(1.7),
                            org.assertj.core.data.Percentage.withPercentage(1));
                });
    }
}
