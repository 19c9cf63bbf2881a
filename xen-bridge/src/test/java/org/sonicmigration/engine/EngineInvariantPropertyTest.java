package org.sonicmigration.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engine against hundreds of random guests ({@link GuestScript#random}): pages dirtied per pass,
 * live hints, final soft sets (or none), writes between the handshake and the pause, holes and frames
 * that only map from a later pass on, batch sizes. The stream each migration writes is decoded and
 * compared with the fake's memory at the suspend.
 */
class EngineInvariantPropertyTest {
    static final int TRIES = 200;

    @Test
    void everyHardPageArrivesWithItsFinalContentAndOnlyCleanStaleFinalSoftRamIsAllocated() {
        qt().withExamples(TRIES).forAll(longs().all()).checkAssert(seed -> {
            ScriptedMigration m = run(seed);
            List<String> broken = new ArrayList<>();
            broken.addAll(EngineRules.hardPagesArriveWithTheirFinalContent(m.domain(), m.stream()));
            broken.addAll(EngineRules.allocatedOnlyStaleCleanFinalSoftRam(m.domain(), m.stream()));
            assertThat(broken).as("seed %d: %s", seed, m.script()).isEmpty();
        });
    }

    @Test
    void everyPassSendsExactlyWhatItsRuleSays() {
        qt().withExamples(TRIES).forAll(longs().all()).checkAssert(seed -> {
            ScriptedMigration m = run(seed);
            assertThat(EngineRules.everyPassSendsWhatItsRuleSays(m.script(), m.domain(), m.stream()))
                    .as("seed %d: %s", seed, m.script()).isEmpty();
            assertThat(m.report().soft().finalSoftDirtied()).as("seed %d", seed)
                    .isEqualTo(m.domain().finalDirty.stream().filter(m.domain().givenUp()::get).count());
        });
    }

    private static ScriptedMigration run(long seed) {
        try {
            return ScriptedMigration.run(GuestScript.random(seed));
        } catch (Exception e) {
            throw new AssertionError("seed " + seed + ": the migration failed: " + e.getMessage(), e);
        }
    }
}
