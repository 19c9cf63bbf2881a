package org.sonicmigration.guest.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sonicmigration.guest.profile.KpageFlag.bit;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sonicmigration.guest.FinalRead;
import org.sonicmigration.guest.HandshakeFailure;
import org.sonicmigration.guest.HandshakeState;
import org.sonicmigration.guest.HandshakeTicket;
import org.sonicmigration.guest.HintAreaGeometry;
import org.sonicmigration.guest.HintAreaReader;
import org.sonicmigration.guest.HintAreaWriter;
import org.sonicmigration.guest.HintFlag;
import org.sonicmigration.guest.HintSnapshot;
import org.sonicmigration.guest.SoftSet;
import org.sonicmigration.guest.profile.KpageFlag;

/**
 * The agent against dom0's reader: the live hint it publishes, and its answers to the suspend handshake under
 * each policy, including the budget and a failing scan.
 */
class ReferenceAgentTest {

    private static final long FREE = bit(KpageFlag.BUDDY);
    private static final long CLEAN = bit(KpageFlag.LRU) | bit(KpageFlag.UPTODATE);
    private static final long SLAB = bit(KpageFlag.SLAB);

    private Arena arena;

    @BeforeEach
    void setUp() {
        arena = Arena.ofConfined();
    }

    @AfterEach
    void tearDown() {
        arena.close();
    }

    private HintAreaWriter area(long pfns, MemorySegment[] out) {
        HintAreaGeometry g = ReferenceAgent.geometryFor(pfns);
        out[0] = arena.allocate(g.areaBytes(), 4096);
        return HintAreaWriter.initialize(out[0], g, 1000, 60_000);
    }

    @Test
    void theLiveHintIsTheScansSoftSetWithFreeAndCleanCacheFlags() {
        KpageFiles files = AgentData.files("run1", "user256");
        ReferenceAgent agent = new ReferenceAgent(files, FinalSetPolicy.decline());
        MemorySegment[] seg = new MemorySegment[1];
        HintAreaWriter writer = area(524_288, seg);
        assertThat(writer.geometry().referenced().present()).as("no referenced set: drop_caches drops all").isFalse();

        AgentScan scan = agent.publishLive(writer);

        HintSnapshot snap = new HintAreaReader(524_288).read(seg[0]);
        assertThat(snap).isInstanceOf(HintSnapshot.Valid.class);
        HintSnapshot.Valid v = (HintSnapshot.Valid) snap;
        assertThat(v.soft()).isEqualTo(scan.soft());
        assertThat(v.flags()).containsExactlyInAnyOrder(HintFlag.FREE, HintFlag.CLEAN_CACHE);
        assertThat(v.publishSeq()).isEqualTo(1);
    }

    @Test
    void aFileBackedAreaIsReadBackByDom0(@TempDir Path tmp) {
        long[] flags = {SLAB, FREE, FREE, CLEAN, SLAB, CLEAN};
        long[] counts = {0, 0, 0, 0, 0, 1};   // the last page is mapped: hard
        ArrayKpageSource source = new ArrayKpageSource(4, counts, flags);
        ReferenceAgent agent = new ReferenceAgent(source, FinalSetPolicy.decline(), () -> 77);
        HintAreaGeometry g = ReferenceAgent.geometryFor(flags.length);
        Path file = tmp.resolve("area");
        MemorySegment area = HintAreaFile.create(file, g, arena);
        HintAreaWriter writer = HintAreaWriter.initialize(area, g, 1000, 60_000);
        agent.publishLive(writer);

        assertThat(file).hasSize(g.areaBytes());
        MemorySegment ro = HintAreaFile.openReadOnly(file, arena);
        HintSnapshot.Valid v = (HintSnapshot.Valid) new HintAreaReader(flags.length).read(ro);
        assertThat(v.soft()).isEqualTo(SoftSet.of(flags.length, 1, 2, 3));
        assertThat(v.publishTimeNanos()).isEqualTo(77);
    }

    @Test
    void aScanBiggerOrSmallerThanTheAreaIsFittedToIt() {
        long[] flags = {FREE, FREE, FREE, FREE, FREE, FREE, FREE, FREE};
        ReferenceAgent agent = new ReferenceAgent(new ArrayKpageSource(8, new long[8], flags), FinalSetPolicy.decline());
        MemorySegment[] seg = new MemorySegment[1];
        agent.publishLive(area(5, seg));
        assertThat(((HintSnapshot.Valid) new HintAreaReader(5).read(seg[0])).soft().cardinality()).isEqualTo(5);
        agent.publishLive(area(100, seg));
        SoftSet soft = ((HintSnapshot.Valid) new HintAreaReader(100).read(seg[0])).soft();
        assertThat(soft.cardinality()).as("frames the scan did not see are hard").isEqualTo(8);
    }

    @Test
    void theDefaultPolicyDeclinesEveryRequest() {
        ArrayKpageSource source = new ArrayKpageSource(4, new long[4], new long[] {FREE, FREE, FREE, FREE});
        ReferenceAgent agent = new ReferenceAgent(source, FinalSetPolicy.decline());
        MemorySegment[] seg = new MemorySegment[1];
        HintAreaWriter writer = area(4, seg);
        HintAreaReader dom0 = new HintAreaReader(4);
        for (int round = 1; round <= 2; round++) {
            HandshakeTicket ticket = dom0.beginHandshake(seg[0]);
            HandshakeAnswer answer = agent.answerRequest(writer);
            assertThat(answer.finalSet()).isEmpty();
            assertThat(answer.word().state()).contains(HandshakeState.FAILED);
            assertThat(dom0.readFinal(seg[0], ticket)).isEqualTo(new FinalRead.Failed(round, HandshakeFailure.DISABLED));
        }
        assertThat(source.passesWithCounts).as("declining reads nothing").isEmpty();
    }

    @Test
    void freeSeenTwiceOffersOnlyFramesFreeInBothScansAfterTheRequest() {
        long[] before = {FREE, FREE, FREE, SLAB, CLEAN, FREE};
        long[] first = {FREE, FREE, SLAB, FREE, CLEAN, FREE};
        long[] second = {SLAB, FREE, FREE, FREE, CLEAN, FREE};
        ArrayKpageSource source = new ArrayKpageSource(4, new long[6], before, first, second);
        ReferenceAgent agent = new ReferenceAgent(source, FinalSetPolicy.freeSeenTwice());
        MemorySegment[] seg = new MemorySegment[1];
        HintAreaWriter writer = area(6, seg);
        agent.publishLive(writer);   // consumes the "before" snapshot: live hints come from earlier scans
        HintAreaReader dom0 = new HintAreaReader(6);
        HandshakeTicket ticket = dom0.beginHandshake(seg[0]);

        HandshakeAnswer answer = agent.answerRequest(writer);

        assertThat(answer.finalSet()).contains(SoftSet.of(6, 1, 3, 5));
        FinalRead read = dom0.readFinal(seg[0], ticket);
        assertThat(read).isInstanceOf(FinalRead.Ready.class);
        FinalRead.Ready ready = (FinalRead.Ready) read;
        assertThat(ready.finalSet()).isEqualTo(SoftSet.of(6, 1, 3, 5));
        assertThat(ready.flags()).containsExactly(HintFlag.FREE);
        assertThat(ready.flags()).as("an agent cannot hold pages").doesNotContain(HintFlag.HELD);
        assertThat(source.passesWithCounts).as("one live scan, then two flags-only scans").containsExactly(true, false, false);
    }

    @Test
    void theScansStartOnlyAfterTheRequestIsVisible() {
        long[] flags = {FREE, FREE};
        ArrayKpageSource source = new ArrayKpageSource(2, new long[2], flags);
        MemorySegment[] seg = new MemorySegment[1];
        HintAreaWriter writer = area(2, seg);
        HintAreaReader dom0 = new HintAreaReader(2);
        HandshakeTicket ticket = dom0.beginHandshake(seg[0]);
        source.beforePass = () -> assertThat(dom0.readFinal(seg[0], ticket))
                .as("dom0 sees the request before the agent looks at memory")
                .isInstanceOf(FinalRead.Pending.class)
                .extracting(r -> ((FinalRead.Pending) r).current().state().orElseThrow())
                .isIn(HandshakeState.REQUESTED, HandshakeState.DROPPING);
        new ReferenceAgent(source, FinalSetPolicy.freeSeenTwice()).answerRequest(writer);
        assertThat(source.passesWithCounts).hasSize(2);
    }

    @Test
    void droppingCacheWritesOneBeforeScanningAndMarksTheSet(@TempDir Path tmp) throws Exception {
        Path dropCaches = tmp.resolve("drop_caches");
        Files.writeString(dropCaches, "0");
        ArrayKpageSource source = new ArrayKpageSource(2, new long[3], new long[] {FREE, CLEAN, FREE});
        source.beforePass = () -> assertThat(dropCaches).hasContent("1");
        ReferenceAgent agent = new ReferenceAgent(source, FinalSetPolicy.freeSeenTwiceAfterDrop(dropCaches));
        MemorySegment[] seg = new MemorySegment[1];
        HintAreaWriter writer = area(3, seg);
        HandshakeTicket ticket = new HintAreaReader(3).beginHandshake(seg[0]);

        assertThat(agent.answerRequest(writer).cacheDropped()).isTrue();

        FinalRead.Ready ready = (FinalRead.Ready) new HintAreaReader(3).readFinal(seg[0], ticket);
        assertThat(ready.finalSet()).as("clean cache is never final: only what is free").isEqualTo(SoftSet.of(3, 0, 2));
        assertThat(ready.flags()).containsExactlyInAnyOrder(HintFlag.FREE, HintFlag.CLEAN_CACHE);
    }

    @Test
    void aDropThatFailsStillGivesTheFreePagesWithoutTheCacheFlag(@TempDir Path tmp) {
        Path notWritable = tmp.resolve("no-such-dir").resolve("drop_caches");
        ArrayKpageSource source = new ArrayKpageSource(2, new long[2], new long[] {FREE, FREE});
        MemorySegment[] seg = new MemorySegment[1];
        HintAreaWriter writer = area(2, seg);
        HandshakeAnswer a = new ReferenceAgent(source, FinalSetPolicy.freeSeenTwiceAfterDrop(notWritable)).answerRequest(writer);
        assertThat(a.word().state()).contains(HandshakeState.FINAL_READY);
        assertThat(a.finalSet()).contains(SoftSet.of(2, 0, 1));
        assertThat(a.cacheDropped()).isFalse();
        FinalRead.Ready r = (FinalRead.Ready) new HintAreaReader(2).readFinal(seg[0], ticketBefore(0));
        assertThat(r.flags()).containsExactly(HintFlag.FREE);
    }

    private static HandshakeTicket ticketBefore(long seq) {
        return new HandshakeTicket(new org.sonicmigration.guest.HandshakeWord(seq, HandshakeState.IDLE, HandshakeFailure.NONE));
    }

    @Test
    void aFirstScanPastTheBudgetFailsWithTimeout() {
        AtomicLong now = new AtomicLong();
        ArrayKpageSource source = new ArrayKpageSource(2, new long[8], new long[] {FREE, FREE, FREE, FREE, FREE, FREE, FREE, FREE});
        source.beforeChunk = () -> now.addAndGet(Duration.ofMillis(600).toNanos());
        ReferenceAgent agent = new ReferenceAgent(source, FinalSetPolicy.freeSeenTwice(), now::get);
        MemorySegment[] seg = new MemorySegment[1];
        HintAreaWriter writer = area(8, seg);
        HandshakeAnswer a = agent.answerRequest(writer);
        assertThat(a.finalSet()).isEmpty();
        assertThat(new HintAreaReader(8).readFinal(seg[0], ticketBefore(0))).isEqualTo(new FinalRead.Failed(1, HandshakeFailure.TIMEOUT));
        assertThat(source.passesWithCounts).as("no second scan after a failed first").hasSize(1);
    }

    @Test
    void aSecondScanCutShortGivesOnlyTheFramesItReached() {
        AtomicLong now = new AtomicLong();
        long[] all = new long[12];
        java.util.Arrays.fill(all, FREE);
        ArrayKpageSource source = new ArrayKpageSource(2, new long[12], all);
        // 12 frames, 2 per chunk: 6 chunks per scan at 100 ms each; the budget of 1.5 s ends during the second scan
        source.beforeChunk = () -> now.addAndGet(Duration.ofMillis(100).toNanos());
        ReferenceAgent agent = new ReferenceAgent(source, new FinalSetPolicy.FreeSeenTwice(Duration.ofMillis(1000), Optional.empty()),
                now::get);
        MemorySegment[] seg = new MemorySegment[1];
        HintAreaWriter writer = area(12, seg);
        HandshakeAnswer a = agent.answerRequest(writer);
        // first scan: chunks at 100..600 ms; second: 700 ms (frames 0-1) .. 1000 ms (6-7), 1100 ms (8-9) then stop
        assertThat(a.finalSet()).contains(SoftSet.of(12, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
        FinalRead.Ready r = (FinalRead.Ready) new HintAreaReader(12).readFinal(seg[0], ticketBefore(0));
        assertThat(r.finalSet().cardinality()).isEqualTo(10);
    }

    @Test
    void aScanThatFailsEndsTheHandshakeAsInternalAndSaysWhy(@TempDir Path tmp) {
        Path missing = tmp.resolve("kpageflags");
        ReferenceAgent agent = new ReferenceAgent(new KpageFiles(missing, missing), FinalSetPolicy.freeSeenTwice());
        MemorySegment[] seg = new MemorySegment[1];
        HintAreaWriter writer = area(16, seg);
        assertThatThrownBy(() -> agent.answerRequest(writer)).isInstanceOf(AgentException.class).hasMessageContaining("no such file");
        assertThat(new HintAreaReader(16).readFinal(seg[0], ticketBefore(0))).isEqualTo(new FinalRead.Failed(1, HandshakeFailure.INTERNAL));
        // and the next request starts a fresh handshake
        assertThat(writer.handshake().state()).contains(HandshakeState.FAILED);
    }

    @Test
    void policiesCheckTheirBudget() {
        assertThatThrownBy(() -> new FinalSetPolicy.FreeSeenTwice(Duration.ZERO, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FinalSetPolicy.FreeSeenTwice(Duration.ofSeconds(11), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(FinalSetPolicy.freeSeenTwice()).isEqualTo(
                new FinalSetPolicy.FreeSeenTwice(Duration.ofMillis(1500), Optional.empty()));
    }
}
