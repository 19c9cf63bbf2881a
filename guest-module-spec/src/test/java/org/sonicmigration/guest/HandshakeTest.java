package org.sonicmigration.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.longs;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The handshake state machine, its word encoding, and dom0's reading of the guest's answers. */
class HandshakeTest {

    @ParameterizedTest(name = "{0} --{1}--> {2}")
    @CsvSource({
            "IDLE, REQUEST, REQUESTED", "IDLE, START_DROP, -", "IDLE, PUBLISH_FINAL, -", "IDLE, FAIL, -", "IDLE, RELEASE, IDLE",
            "REQUESTED, REQUEST, REQUESTED", "REQUESTED, START_DROP, DROPPING", "REQUESTED, PUBLISH_FINAL, FINAL_READY",
            "REQUESTED, FAIL, FAILED", "REQUESTED, RELEASE, -",
            "DROPPING, REQUEST, REQUESTED", "DROPPING, START_DROP, -", "DROPPING, PUBLISH_FINAL, FINAL_READY",
            "DROPPING, FAIL, FAILED", "DROPPING, RELEASE, -",
            "FINAL_READY, REQUEST, REQUESTED", "FINAL_READY, START_DROP, -", "FINAL_READY, PUBLISH_FINAL, -",
            "FINAL_READY, FAIL, -", "FINAL_READY, RELEASE, IDLE",
            "FAILED, REQUEST, REQUESTED", "FAILED, START_DROP, -", "FAILED, PUBLISH_FINAL, -", "FAILED, FAIL, -",
            "FAILED, RELEASE, IDLE"})
    void everyTransitionIsEitherLegalWithOneOutcomeOrRefused(HandshakeState from, HandshakeEvent event, String to) {
        if (to.equals("-")) {
            assertThat(from.allows(event)).isFalse();
            assertThatThrownBy(() -> from.next(event)).isInstanceOf(IllegalHandshakeTransitionException.class)
                    .hasMessageContaining(event.name()).hasMessageContaining(from.name());
        } else {
            assertThat(from.allows(event)).isTrue();
            assertThat(from.next(event)).isEqualTo(HandshakeState.valueOf(to));
        }
    }

    @Test
    void theWordRoundTrips() {
        qt().withExamples(1000).forAll(longs().between(0, 0xFFFF_FFFFL), arbitrary().enumValues(HandshakeState.class),
                arbitrary().enumValues(HandshakeFailure.class)).checkAssert(HandshakeTest::theWordRoundTrips);
    }

    private static void theWordRoundTrips(long seq, HandshakeState state, HandshakeFailure reason) {
        HandshakeWord w = new HandshakeWord(seq, state, reason);
        HandshakeWord back = HandshakeWord.decode(w.encode());
        assertThat(back.seq()).isEqualTo(seq);
        assertThat(back.state()).contains(state);
        assertThat(back.reason()).isEqualTo(reason);
        assertThat(w.encode() & 0xFFFF_0000L).as("bits 16-31 stay zero").isZero();
    }

    private Arena arena;
    private MemorySegment area;
    private HintAreaWriter guest;
    private HintAreaReader dom0;
    private static final long PFNS = 4096;

    @BeforeEach
    void setUp() {
        arena = Arena.ofConfined();
        HintAreaGeometry g = HintAreaGeometry.plan(PFNS, false);
        area = arena.allocate(g.areaBytes(), 8);
        guest = HintAreaWriter.initialize(area, g, 1000, 1000);
        dom0 = new HintAreaReader(PFNS);
    }

    @AfterEach
    void tearDown() {
        arena.close();
    }

    @Test
    void aFinalSetPublishedBeforeTheTicketIsNeverAccepted() {
        guest.request();
        guest.publishFinal(SoftSet.of(PFNS, 1, 2, 3), Set.of(HintFlag.FREE), 1);
        HandshakeTicket ticket = dom0.beginHandshake(area);   // after the last live fetch-and-clean
        assertThat(ticket.observed().state()).contains(HandshakeState.FINAL_READY);
        // the guest has not reacted to the new request yet: its old answer must not count
        assertThat(dom0.readFinal(area, ticket)).isInstanceOf(FinalRead.Pending.class);
        guest.request();
        assertThat(dom0.readFinal(area, ticket)).isInstanceOf(FinalRead.Pending.class);
        guest.startDropping();
        assertThat(dom0.readFinal(area, ticket)).isInstanceOf(FinalRead.Pending.class);
        guest.publishFinal(SoftSet.of(PFNS, 7), Set.of(HintFlag.FREE), 2);
        assertThat(dom0.readFinal(area, ticket)).isInstanceOfSatisfying(FinalRead.Ready.class,
                r -> assertThat(r.finalSet()).isEqualTo(SoftSet.of(PFNS, 7)));
    }

    @Test
    void aHandshakeThatStartedBetweenTicketAndNotifyIsAcceptable() {
        HandshakeTicket ticket = dom0.beginHandshake(area);
        guest.request(); // e.g. a leftover event: it still began after the ticket, so after the fetch-and-clean
        guest.request(); // and superseded by the one our notification caused
        guest.publishFinal(SoftSet.of(PFNS, 9), Set.of(), 3);
        assertThat(dom0.readFinal(area, ticket)).isInstanceOfSatisfying(FinalRead.Ready.class, r -> assertThat(r.seq()).isEqualTo(2));
    }

    @Test
    void failureAndReleaseAreReportedAsSuch() {
        HandshakeTicket ticket = dom0.beginHandshake(area);
        guest.request();
        guest.startDropping();
        guest.fail(HandshakeFailure.NO_MEMORY);
        assertThat(dom0.readFinal(area, ticket)).isEqualTo(new FinalRead.Failed(1, HandshakeFailure.NO_MEMORY));
        assertThat(HandshakeProtocol.keepWaiting(dom0.readFinal(area, ticket))).isFalse();
        guest.release();
        assertThat(dom0.readFinal(area, ticket)).isEqualTo(new FinalRead.Released(1));
        guest.request();
        assertThat(HandshakeProtocol.keepWaiting(dom0.readFinal(area, ticket))).isTrue();
    }

    @Test
    void anUndefinedStateByteIsInvalid() {
        HandshakeTicket ticket = dom0.beginHandshake(area);
        area.set(HintAreaLayout.U64_UNALIGNED, HintAreaLayout.OFF_HANDSHAKE, (5L << 32) | 9);
        assertThat(dom0.readFinal(area, ticket)).isInstanceOfSatisfying(FinalRead.Invalid.class,
                i -> assertThat(i.reason()).isEqualTo(InvalidReason.BAD_HANDSHAKE_STATE));
    }

    @Test
    void theWriterRefusesStepsTheProtocolForbids() {
        assertThatThrownBy(() -> guest.startDropping()).isInstanceOf(IllegalHandshakeTransitionException.class);
        assertThatThrownBy(() -> guest.publishFinal(SoftSet.empty(PFNS), Set.of(), 0)).isInstanceOf(IllegalHandshakeTransitionException.class);
        guest.request();
        assertThatThrownBy(() -> guest.release()).isInstanceOf(IllegalHandshakeTransitionException.class);
        assertThatThrownBy(() -> guest.publishFinal(SoftSet.empty(PFNS + 1), Set.of(), 0)).isInstanceOf(HintAreaException.class)
                .hasMessageContaining("covers 4097 PFNs");
        assertThatThrownBy(() -> guest.publish(SoftSet.empty(PFNS), SoftSet.empty(PFNS), Set.of(), 0))
                .isInstanceOf(HintAreaException.class).hasMessageContaining("no referenced section");
    }
}
