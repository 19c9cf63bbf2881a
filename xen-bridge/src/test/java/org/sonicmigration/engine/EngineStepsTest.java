package org.sonicmigration.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketException;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.sonicmigration.spi.RunState;
import org.sonicmigration.spi.VirtualClock;
import org.sonicmigration.stream.PageType;
import org.sonicmigration.transport.PeerRefusedException;
import org.sonicmigration.transport.StreamDestination;

/**
 * The engine one step at a time (DESIGN.md, "The migration engine"), each on a small scripted guest of
 * 64 frames whose stream is decoded and compared with the guest's memory. Every test also checks the
 * safety invariant, so a step that breaks it fails here under its own name.
 */
class EngineStepsTest {
    static final int PFNS = 64;

    static ScriptedMigration migrate(GuestScript script) throws Exception {
        ScriptedMigration m = ScriptedMigration.run(script);
        assertThat(EngineRules.hardPagesArriveWithTheirFinalContent(m.domain(), m.stream())).as(script.toString()).isEmpty();
        assertThat(EngineRules.allocatedOnlyStaleCleanFinalSoftRam(m.domain(), m.stream())).as(script.toString()).isEmpty();
        return m;
    }

    static PreCopyEngine engine(GuestScript script) {
        return new PreCopyEngine(script.options(), new VirtualClock(), MigrationListener.NONE);
    }

    static BitSet range(int from, int to) {
        BitSet b = new BitSet();
        b.set(from, to);
        return b;
    }

    static BitSet of(int... p) {
        BitSet b = new BitSet();
        IntStream.of(p).forEach(b::set);
        return b;
    }

    @Nested
    class StartOfStreamAndLogDirty {
        @Test
        void logDirtyIsOnBeforeTheFirstReadAndTheFirstPassCoversEveryFrameHolesAsHoles() throws Exception {
            ScriptedMigration m = migrate(new GuestScript(PFNS).holes(10, 11).withoutHintArea().batch(16));
            assertThat(m.domain().events.subList(0, 2)).containsExactly("log-dirty on", "read live 0");
            assertThat(m.domain().liveReads(0)).isEqualTo(range(0, PFNS));
            assertThat(m.stream().order.subList(0, 3)).containsExactly("xl header", "image header", "pages");
            assertThat(m.stream().last(10).type()).isEqualTo(PageType.XTAB);
            assertThat(m.stream().last(11).type()).isEqualTo(PageType.XTAB);
            assertThat(m.report().notices()).anyMatch(n -> n.contains("no soft-page hint area"));
        }

        @Test
        void aHintChannelTheBackendCannotUseMeansPlainPreCopyWithTheReasonNamed() throws Exception {
            GuestScript script = new GuestScript(PFNS).maxIterations(1).hintRange(0, 20, 30).finalSoftRange(20, 30);
            ScriptedDomain d = new ScriptedDomain(script);
            d.hintUnavailable = "guest advertises abi 2.0, this dom0 speaks 1.x";
            MigrationReport r = engine(script)
                    .migrate(d, "scripted", new CapturedDestination(d.events));
            assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
            assertThat(r.notices()).anyMatch(n -> n.contains("guest advertises abi 2.0, this dom0 speaks 1.x")
                    && n.contains("plain pre-copy"));
            assertThat(r.soft().hintArea()).isFalse();
            assertThat(d.liveReads(0)).isEqualTo(range(0, PFNS));
        }
    }

    @Nested
    class LiveRounds {
        @Test
        void pagesWrittenDuringAPassGoAgainInTheNextAndCleanPagesDoNot() throws Exception {
            ScriptedMigration m = migrate(new GuestScript(PFNS).withoutHintArea().dirtyThreshold(1)
                    .writes(0, 5, 6).writes(1, 6));
            assertThat(m.domain().livePasses()).isEqualTo(3);
            assertThat(m.domain().liveReads(1)).isEqualTo(of(5, 6));
            assertThat(m.domain().liveReads(2)).isEqualTo(of(6));
            assertThat(m.report().iterations().get(1).dirtyAfter()).isEqualTo(1);
        }

        @Test
        void pagesTheHintCallsSoftAreSkippedAndStayStale() throws Exception {
            ScriptedMigration m = migrate(new GuestScript(PFNS).maxIterations(1).hintRange(0, 20, 30).finalSoft());
            BitSet notSkipped = range(0, PFNS);
            notSkipped.andNot(range(20, 30));
            assertThat(m.domain().liveReads(0)).isEqualTo(notSkipped);
            assertThat(m.report().soft().skippedLive()).isEqualTo(10);
            // Still stale after the live rounds: the guest did not give them up, so they go in the catch-up.
            assertThat(m.domain().catchUpReads).isEqualTo(range(20, 30));
        }

        @Test
        void aSoftPageDirtiedSinceTheLastFetchIsSentInTheNextPassDespiteTheHint() throws Exception {
            ScriptedMigration m = migrate(new GuestScript(PFNS).dirtyThreshold(1).maxIterations(2)
                    .writes(0, 7).hint(1, 7, 8).finalSoft());
            assertThat(m.domain().livePasses()).isEqualTo(2);
            assertThat(m.domain().liveReads(1)).isEqualTo(of(7));
            assertThat(m.report().iterations().get(1).skipped()).isZero();
        }

        @Test
        void theLoopStopsUnderTheThresholdOrAtTheBudgetAsXensDoes() throws Exception {
            GuestScript under = new GuestScript(PFNS).withoutHintArea().dirtyThreshold(11);
            under.writes.add(range(0, 10));
            assertThat(migrate(under).domain().livePasses()).isEqualTo(1);

            GuestScript budget = new GuestScript(PFNS).withoutHintArea().maxIterations(3);
            List.of(range(0, 40), range(0, 30), range(0, 20), range(0, 10)).forEach(budget.writes::add);
            assertThat(migrate(budget).domain().livePasses()).isEqualTo(3);
        }

        @Test
        void aDirtySetThatStopsShrinkingRunsTheWholeBudgetUnlessAskedToStopEarly() throws Exception {
            // Xen's defaults: 5 live passes in all, the first full pass included; the guest keeps 10 pages dirty.
            GuestScript flat = new GuestScript(PFNS).withoutHintArea().maxIterations(5).dirtyThreshold(5);
            IntStream.range(0, 8).forEach(k -> flat.writes.add(range(10 * (k % 3), 10 * (k % 3) + 10)));
            assertThat(migrate(flat).domain().livePasses()).isEqualTo(5);

            assertThat(migrate(flat.stopWhenNotShrinking()).domain().livePasses()).isEqualTo(2);
        }

        @Test
        void theDefaultsAreXensAndTheShrinkRuleIsOff() {
            MigrationOptions d = MigrationOptions.defaults();
            assertThat(d.maxIterations()).isEqualTo(5);
            assertThat(d.dirtyThreshold()).isEqualTo(50);
            assertThat(d.stopWhenNotShrinking()).isFalse();
        }
    }

    @Nested
    class HandshakeAndCatchUp {
        @Test
        void theHandshakeFollowsTheLastLiveFetchAndTheCatchUpSendsStalePagesOutsideTheFinalSet() throws Exception {
            ScriptedMigration m = migrate(new GuestScript(PFNS).maxIterations(1).hintRange(0, 20, 40)
                    .finalSoftRange(20, 30));
            assertThat(m.domain().events).containsSubsequence("fetch 0", "handshake", "read catch-up", "suspend");
            assertThat(m.domain().events.get(m.domain().events.indexOf("fetch 0") + 1)).isEqualTo("handshake");
            assertThat(m.domain().catchUpReads).isEqualTo(range(30, 40));
            assertThat(m.report().soft().catchUpPages()).isEqualTo(10);
        }

        @Test
        void pagesCaughtUpAreNotSentAgainInTheDowntime() throws Exception {
            ScriptedMigration m = migrate(new GuestScript(PFNS).maxIterations(1).hintRange(0, 20, 40)
                    .finalSoftRange(20, 30));
            assertThat(m.domain().finalReads).isEqualTo(new BitSet());
            assertThat(m.report().iterations().getLast().pagesSent()).isZero();
        }

        @Test
        void aModuleUnloadedBeforeTheHandshakeIsNotWaitedForAndEveryStalePageIsSent() throws Exception {
            ScriptedMigration m = migrate(new GuestScript(PFNS).maxIterations(1).hintRange(0, 20, 40).moduleUnloaded());
            assertThat(m.report().soft().catchUpPages()).isEqualTo(20);
            assertThat(m.domain().finalReads).isEqualTo(new BitSet());
            assertThat(m.stream().withType(PageType.XALLOC)).isEqualTo(new BitSet());
            assertThat(m.report().soft().fallbacks()).anyMatch(f -> f.contains("withdrew its hint channel"));
            // not the handshake timeout's worth of waiting: the channel said at once that nobody will answer
            assertThat(m.report().soft().handshakeNanos()).isLessThan(m.script().options().handshakeTimeout().toNanos());
        }

        @Test
        void withoutAFinalSetEveryHintSkippedPageGoesInTheCatchUpNotInTheDowntime() throws Exception {
            ScriptedMigration m = migrate(new GuestScript(PFNS).maxIterations(1).hintRange(0, 20, 40).noFinalSet());
            assertThat(m.domain().catchUpReads).isEqualTo(range(20, 40));
            assertThat(m.domain().finalReads).isEqualTo(new BitSet());
            assertThat(m.stream().withType(PageType.XALLOC)).isEqualTo(new BitSet());
            assertThat(m.report().soft().fallbacks()).anyMatch(f -> f.contains("could not give a final soft set"));
        }
    }

    @Nested
    class FinalRound {
        @Test
        void theFinalDirtySetGoesWithData() throws Exception {
            ScriptedMigration m = migrate(new GuestScript(PFNS).maxIterations(1).finalSoft().afterHandshake(3, 4));
            assertThat(m.domain().finalDirty).isEqualTo(of(3, 4));
            assertThat(m.domain().finalReads).isEqualTo(of(3, 4));
            assertThat(m.stream().last(3).digest()).isEqualTo(m.domain().digestAtSuspend(3));
        }

        @Test
        void aFinalSoftPageWrittenBeforeThePauseGoesWithDataAndIsCounted() throws Exception {
            // A guest that lists its final set without holding it may allocate and write those pages.
            ScriptedMigration m = migrate(new GuestScript(PFNS).maxIterations(1).hintRange(0, 20, 30)
                    .finalSoftRange(20, 30).afterHandshake(22, 23));
            assertThat(m.domain().finalReads).isEqualTo(of(22, 23));
            assertThat(m.stream().last(22).digest()).isEqualTo(m.domain().digestAtSuspend(22));
            BitSet allocated = range(20, 30);
            allocated.andNot(of(22, 23));
            assertThat(m.stream().withType(PageType.XALLOC)).isEqualTo(allocated);
            assertThat(m.report().soft().finalSoftDirtied()).isEqualTo(2);
            assertThat(m.report().soft().unsentPages()).isEqualTo(8);
        }

        @Test
        void aHoleTheGuestCallsFreeIsNeverAllocated() throws Exception {
            // The dirty log reports the holes (their mapping changed), so they are stale at the end.
            ScriptedMigration m = migrate(new GuestScript(PFNS).maxIterations(1).holes(40, 41).writes(0, 40, 41)
                    .hintRange(0, 20, 30).finalSoft(20, 21, 40, 41));
            assertThat(m.stream().withType(PageType.XALLOC)).isEqualTo(of(20, 21));
            assertThat(m.stream().last(40).type()).isEqualTo(PageType.XTAB);
            assertThat(m.stream().last(41).type()).isEqualTo(PageType.XTAB);
            assertThat(m.domain().ramChecked).as("frames seen not to map need no asking").isEqualTo(of(20, 21));
        }

        @Test
        void aHoleSkippedInEveryPassThatTheGuestCallsFreeIsNeverAllocated() throws Exception {
            // Never read, so only the backend's guest-RAM check knows it is a hole.
            ScriptedMigration m = migrate(new GuestScript(PFNS).maxIterations(2).holes(40).hintRange(0, 20, 41)
                    .hintRange(1, 20, 41).finalSoftRange(20, 41));
            assertThat(m.domain().mapFailedBeforeFinal).isEqualTo(new BitSet());
            assertThat(m.stream().withType(PageType.XALLOC)).isEqualTo(range(20, 40));
            assertThat(m.stream().last(40).type()).isEqualTo(PageType.XTAB);
        }

        @Test
        void aFinalSoftPageTheDestinationAlreadyHasIsNotAllocatedAgain() throws Exception {
            ScriptedMigration m = migrate(new GuestScript(PFNS).maxIterations(1).finalSoft(50));
            assertThat(m.stream().withType(PageType.XALLOC)).isEqualTo(new BitSet());
            assertThat(m.stream().pages.get(50L)).hasSize(1);
        }

        @Test
        void pagesLeftWithoutDataAreNotReadInTheDowntime() throws Exception {
            ScriptedMigration m = migrate(new GuestScript(PFNS).maxIterations(1).hintRange(0, 20, 30)
                    .finalSoftRange(20, 30));
            assertThat(m.stream().withType(PageType.XALLOC)).isEqualTo(range(20, 30));
            assertThat(m.domain().finalReads).isEqualTo(new BitSet());
            IntStream.range(20, 30).forEach(p -> assertThat(m.stream().sentWithData(p)).isZero());
        }
    }

    @Nested
    class Save {
        @Test
        void aSaveAsksForTheFinalSetWithLogDirtyOnAndSendsItsCleanPagesWithoutData() throws Exception {
            ScriptedMigration m = migrate(new GuestScript(PFNS).save().finalSoftRange(20, 30).afterHandshake(22, 23));
            assertThat(m.domain().events).containsSubsequence("log-dirty on", "handshake", "suspend", "final fetch");
            assertThat(m.domain().livePasses()).isZero();
            BitSet allocated = range(20, 30);
            allocated.andNot(of(22, 23));
            assertThat(m.stream().withType(PageType.XALLOC)).isEqualTo(allocated);
            assertThat(m.stream().last(22).digest()).isEqualTo(m.domain().digestAtSuspend(22));
            assertThat(m.report().soft().unsentPages()).isEqualTo(8);
            assertThat(m.report().iterations()).extracting(IterationStats::kind).containsExactly(PassKind.FINAL);
        }

        @Test
        void aSaveOfAGuestWithoutAHintAreaStaysASaveWithoutLogDirty() throws Exception {
            ScriptedMigration m = migrate(new GuestScript(PFNS).save().withoutHintArea());
            assertThat(m.domain().events).doesNotContain("log-dirty on", "handshake");
            assertThat(m.stream().withType(PageType.XALLOC)).isEqualTo(new BitSet());
            assertThat(m.report().notices()).anyMatch(n -> n.contains("offers no soft-page hint area"));
        }

        @Test
        void aSaveWithoutAnAnswerSendsEveryPage() throws Exception {
            ScriptedMigration m = migrate(new GuestScript(PFNS).save().noFinalSet());
            assertThat(m.stream().withType(PageType.XALLOC)).isEqualTo(new BitSet());
            assertThat(m.domain().finalReads).isEqualTo(range(0, PFNS));
        }
    }

    @Nested
    class StateEndAndHandOver {
        @Test
        void theStateAndEndFollowThePagesAndTheNameIsGivenUpBetweenConfirmationAndGo() throws Exception {
            ScriptedMigration m = migrate(new GuestScript(PFNS).maxIterations(1).hintRange(0, 20, 30)
                    .finalSoftRange(20, 30));
            assertThat(m.stream().order.subList(m.stream().order.size() - 3, m.stream().order.size()))
                    .containsExactly("pages", "state", "end");
            assertThat(m.domain().events).containsSubsequence("suspend", "final fetch", "capture state", "confirmed",
                    "release name", "go", "log-dirty off");
            assertThat(m.report().outcome()).isEqualTo(Outcome.COMPLETED);
            assertThat(m.domain().state()).isEqualTo(RunState.SUSPENDED);
        }
    }

    @Nested
    class Rollback {
        @Test
        void aFailureWhileLiveTurnsLogDirtyOffAndLeavesTheGuestRunning() {
            GuestScript script = new GuestScript(PFNS).batch(8);
            ScriptedDomain d = new ScriptedDomain(script);
            d.failAfterReads = 3;
            assertThatThrownBy(() -> engine(script).migrate(d, "scripted", new CapturedDestination(d.events)))
                    .isInstanceOfSatisfying(MigrationException.class, e -> {
                        assertThat(e.report().outcome()).isEqualTo(Outcome.FAILED_SOURCE_RESUMED);
                        assertThat(e.getMessage()).contains("frame access failed").contains("the source guest is running");
                    });
            assertThat(d.events).contains("log-dirty off").doesNotContain("suspend", "resume");
            assertThat(d.state()).isEqualTo(RunState.RUNNING);
        }

        @Test
        void aFailureAfterTheSuspendResumesTheGuest() {
            ScriptedDomain d = new ScriptedDomain(new GuestScript(PFNS));
            d.failOn = "capture state";
            assertThatThrownBy(() -> engine(new GuestScript(PFNS)).migrate(d, "scripted", new CapturedDestination(d.events)))
                    .isInstanceOf(MigrationException.class);
            assertThat(d.events).containsSubsequence("suspend", "capture state", "log-dirty off", "resume")
                    .doesNotContain("release name");
            assertThat(d.state()).isEqualTo(RunState.RUNNING);
        }

        @Test
        void aPeerThatRefusesTheStreamIsReportedWithItsReasonAsARefusal() {
            ScriptedDomain d = new ScriptedDomain(new GuestScript(PFNS).withoutHintArea());
            assertThatThrownBy(() -> engine(new GuestScript(PFNS)).migrate(d, "scripted", new RefusingPeer(2 * 4096)))
                    .isInstanceOfSatisfying(MigrationException.class, e -> {
                        assertThat(e.getCause()).isInstanceOfSatisfying(PeerRefusedException.class,
                                r -> assertThat(r.reason()).isEqualTo("no room for 4 GiB"));
                        assertThat(e.getMessage()).contains("peer refused: no room for 4 GiB");
                        assertThat(e.report().outcome()).isEqualTo(Outcome.DESTINATION_FAILED);
                    });
            assertThat(d.events).contains("log-dirty off");
        }

        @Test
        void aBrokenConnectionWithoutARefusalIsReportedAsItIs() {
            ScriptedDomain d = new ScriptedDomain(new GuestScript(PFNS).withoutHintArea());
            RefusingPeer silent = new RefusingPeer(2 * 4096);
            silent.refusal = Optional.empty();
            assertThatThrownBy(() -> engine(new GuestScript(PFNS)).migrate(d, "scripted", silent))
                    .isInstanceOfSatisfying(MigrationException.class, e -> {
                        assertThat(e.getCause()).isNotInstanceOf(PeerRefusedException.class)
                                .hasRootCauseInstanceOf(SocketException.class);
                        assertThat(e.getMessage()).contains("writing the migration stream failed");
                    });
        }

    }

    @Nested
    class StopOnRequest {
        @Test
        void aStopDuringALivePassEndsItThereTurnsLogDirtyOffAndLeavesTheGuestRunning() {
            GuestScript script = new GuestScript(PFNS).withoutHintArea().batch(8);
            ScriptedDomain d = new ScriptedDomain(script);
            MigrationControl control = new MigrationControl();
            List<MigrationControl.Answer> answers = new java.util.ArrayList<>();
            d.events.when("read live 0", () -> answers.add(control.requestAbort("SIGINT")));
            MigrationException e = stopped(script, d, control);
            assertThat(answers).containsExactly(MigrationControl.Answer.WILL_STOP);
            assertThat(e.report().outcome()).isEqualTo(Outcome.ABORTED);
            assertThat(e.getMessage()).contains("stopped on request (SIGINT) during live pass 0")
                    .contains("the source guest is running");
            assertThat(d.liveReads(0).cardinality()).as("the pass ends at the next page").isLessThan(PFNS);
            assertThat(d.events).contains("log-dirty off").doesNotContain("suspend", "handshake", "release name");
            assertThat(d.state()).isEqualTo(RunState.RUNNING);
        }

        @Test
        void aStopDuringTheDowntimeResumesTheGuestAndNeverTellsTheDestinationToStart() {
            GuestScript script = new GuestScript(PFNS).maxIterations(1).hintRange(0, 20, 30).finalSoftRange(20, 30);
            ScriptedDomain d = new ScriptedDomain(script);
            MigrationControl control = new MigrationControl();
            d.events.when("suspend", () -> control.requestAbort("SIGTERM"));
            MigrationException e = stopped(script, d, control);
            assertThat(e.report().outcome()).isEqualTo(Outcome.ABORTED);
            assertThat(e.getMessage()).contains("stopped on request (SIGTERM) during the downtime");
            assertThat(d.events).containsSubsequence("suspend", "log-dirty off", "resume")
                    .doesNotContain("confirmed", "release name", "go");
            assertThat(d.state()).isEqualTo(RunState.RUNNING);
        }

        @Test
        void aStopWhileTheReceiverConfirmsIsTheLastOneHonouredAndTheDestinationIsNeverToldToStart() {
            GuestScript script = new GuestScript(PFNS).maxIterations(1).withoutHintArea();
            ScriptedDomain d = new ScriptedDomain(script);
            MigrationControl control = new MigrationControl();
            d.events.when("confirmed", () -> control.requestAbort("SIGINT"));
            MigrationException e = stopped(script, d, control);
            assertThat(e.report().outcome()).isEqualTo(Outcome.ABORTED);
            assertThat(e.getMessage()).contains("before the destination was told to start the guest");
            assertThat(d.events).containsSubsequence("confirmed", "log-dirty off", "resume")
                    .doesNotContain("release name", "go");
        }

        @Test
        void aStopAfterTheDestinationWasToldToStartIsTooLateAndTheMigrationCompletes() throws Exception {
            GuestScript script = new GuestScript(PFNS).maxIterations(1).withoutHintArea();
            ScriptedDomain d = new ScriptedDomain(script);
            MigrationControl control = new MigrationControl();
            List<MigrationControl.Answer> answers = new java.util.ArrayList<>();
            d.events.when("release name", () -> answers.add(control.requestAbort("SIGINT")));
            MigrationReport r = engine(script)
                    .migrate(d, "scripted", new CapturedDestination(d.events), control);
            assertThat(answers).containsExactly(MigrationControl.Answer.TOO_LATE);
            assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
            assertThat(d.events).contains("go").doesNotContain("resume");
        }

        @Test
        void aStopBeforeTheStartTouchesNothing() {
            GuestScript script = new GuestScript(PFNS).withoutHintArea();
            ScriptedDomain d = new ScriptedDomain(script);
            MigrationControl control = new MigrationControl();
            assertThat(control.requestAbort("SIGINT")).isEqualTo(MigrationControl.Answer.NOT_STARTED);
            MigrationException e = stopped(script, d, control);
            assertThat(e.report().outcome()).isEqualTo(Outcome.ABORTED);
            assertThat(d.events).isEmpty();
        }

        private static MigrationException stopped(GuestScript script, ScriptedDomain d, MigrationControl control) {
            return org.junit.jupiter.api.Assertions.assertThrows(MigrationException.class,
                    () -> engine(script).migrate(d, "scripted", new CapturedDestination(d.events), control));
        }
    }

    @Nested
    class PausedGuest {
        @Test
        void aGuestItsAdministratorPausedStaysPausedAfterARollback() {
            GuestScript script = new GuestScript(PFNS).withoutHintArea().maxIterations(1);
            ScriptedDomain d = new ScriptedDomain(script).pausedByAdministrator();
            assertThatThrownBy(() -> engine(script)
                    .migrate(d, "scripted", new CapturedDestination(d.events)))
                    .isInstanceOfSatisfying(MigrationException.class, e -> {
                        assertThat(e.getMessage()).contains("paused and cannot answer a suspend request")
                                .contains("the source guest is paused, as it was before");
                        assertThat(e.report().outcome()).isEqualTo(Outcome.FAILED_SOURCE_RESUMED);
                    });
            assertThat(d.events).contains("log-dirty off").doesNotContain("unpause", "resume");
            assertThat(d.state()).isEqualTo(RunState.PAUSED);
        }
    }

    @Nested
    class UncertainHandOver {
        @Test
        void aHandOverThatEndsUncertainKeepsTheSourcePausedUnderItsGivenUpNameAndSaysWhatToCheck() {
            GuestScript script = new GuestScript(PFNS).withoutHintArea().maxIterations(1);
            ScriptedDomain d = new ScriptedDomain(script);
            StreamDestination lostAfterGo = new CapturedDestination(d.events) {
                @Override
                public void handOver(Runnable beforeStart) throws IOException {
                    beforeStart.run();
                    throw new org.sonicmigration.transport.HandoverUncertainException(
                            "lost memory after giving it permission to start the guest: connection reset",
                            new SocketException("connection reset"));
                }
            };
            assertThatThrownBy(() -> engine(script)
                    .migrate(d, "scripted", lostAfterGo))
                    .isInstanceOfSatisfying(MigrationException.class, e -> {
                        assertThat(e.report().outcome()).isEqualTo(Outcome.UNCERTAIN_SOURCE_PAUSED);
                        assertThat(e.getMessage()).contains("hand-over uncertain")
                                .contains("kept paused as scripted--migratedaway, neither resumed nor destroyed")
                                .contains("xl destroy scripted--migratedaway")
                                .contains("xl rename scripted--migratedaway scripted")
                                .contains("xl unpause scripted");
                    });
            assertThat(d.events).containsSubsequence("release name", "log-dirty off", "pause", "suspend lifted, paused")
                    .doesNotContain("resume", "unpause", "destroy");
            assertThat(d.state()).isEqualTo(RunState.PAUSED);
        }

        @Test
        void aDestinationThatFailsBeforeGoIsItsOwnOutcomeAndTheGuestRunsOn() {
            ScriptedDomain d = new ScriptedDomain(new GuestScript(PFNS).withoutHintArea());
            assertThatThrownBy(() -> engine(new GuestScript(PFNS)).migrate(d, "scripted", new RefusingPeer(2 * 4096)))
                    .isInstanceOfSatisfying(MigrationException.class,
                            e -> assertThat(e.report().outcome()).isEqualTo(Outcome.DESTINATION_FAILED));
            assertThat(d.state()).isEqualTo(RunState.RUNNING);
        }
    }

    /** A peer whose connection breaks after {@code limit} bytes, having said why (or not). */
    static final class RefusingPeer implements StreamDestination {
        private final int limit;
        Optional<PeerRefusedException> refusal = Optional.of(new PeerRefusedException("no room for 4 GiB"));

        RefusingPeer(int limit) {
            this.limit = limit;
        }

        @Override
        public OutputStream open() {
            return new OutputStream() {
                private long written;

                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    written += len;
                    if (written > limit) {
                        throw new SocketException("connection reset");
                    }
                }
            };
        }

        @Override
        public void handOver() throws IOException {
            throw new IOException("no hand-over after a refusal");
        }

        @Override
        public Optional<PeerRefusedException> refusal() {
            return refusal;
        }

        @Override
        public String describe() {
            return "refusing peer";
        }

        @Override
        public void close() {}
    }
}
