package org.sonicmigration.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A writer thread republishes constantly while this thread reads. Every publication's content is a
 * function of its generation (or handshake sequence), so a torn copy accepted as valid would show up as
 * a set that does not match its own generation.
 */
class SeqlockConcurrencyTest {

    private static final int POOL = 8;
    private static final int READS = 300;
    /** A safety stop should the other thread never get to run; far above what a run needs. */
    private static final int MAX_READS = 5_000_000;

    private static SoftSet[] pool(long pfnCount, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        SoftSet[] sets = new SoftSet[POOL];
        for (int i = 0; i < POOL; i++) {
            SoftSet.Builder b = SoftSet.builder(pfnCount);
            double density = r.nextDouble();
            for (long p = 0; p < pfnCount; p++) {
                if (r.nextDouble() < density) {
                    b.set(p);
                }
            }
            sets[i] = b.build();
        }
        return sets;
    }

    /** Called from {@code finally}: a failure in flight must not be replaced by an interrupt, and the thread was told to stop. */
    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static HintAreaGeometry geometry(long pfnCount, boolean extents, SoftSet[] sets) {
        if (!extents) {
            return HintAreaGeometry.plan(pfnCount, false);
        }
        long maxRuns = 1;
        for (SoftSet s : sets) {
            maxRuns = Math.max(maxRuns, s.runCount());
        }
        long cap = maxRuns * HintAreaLayout.EXTENT_SIZE;
        long page = HintAreaLayout.PAGE_SIZE;
        return HintAreaGeometry.of(pfnCount, new SetPlacement(SetEncoding.EXTENTS, page, cap),
                new SetPlacement(SetEncoding.EXTENTS, page + cap, cap), SetPlacement.ABSENT);
    }

    @Test
    void aConcurrentPublisherNeverYieldsATornSnapshotAcceptedAsValid() {
        qt().withExamples(6).forAll(integers().between(1, 60_000), booleans().all(), longs().all())
                .checkAssert(SeqlockConcurrencyTest::aConcurrentPublisherNeverYieldsATornSnapshotAcceptedAsValid);
    }

    private static void aConcurrentPublisherNeverYieldsATornSnapshotAcceptedAsValid(int pfnCount, boolean extents, long seed) {
        SoftSet[] sets = pool(pfnCount, seed);
        HintAreaGeometry g = geometry(pfnCount, extents, sets);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment area = arena.allocate(g.areaBytes(), HintAreaLayout.PAGE_SIZE);
            HintAreaWriter w = HintAreaWriter.initialize(area, g, 1, 1);
            w.publish(sets[1], Set.of(HintFlag.FREE), 2);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong published = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread writer = Thread.ofPlatform().start(() -> {
                SplittableRandom r = new SplittableRandom(seed);
                try {
                    while (!stop.get()) {
                        long next = w.generation() + 2;
                        w.publish(sets[(int) ((next >>> 1) % POOL)], Set.of(HintFlag.FREE), next);
                        published.incrementAndGet();
                        // a guest publishing back to back but not in a closed loop: short, random even windows
                        for (int spin = r.nextInt(3000); spin > 0; spin--) {
                            Thread.onSpinWait();
                        }
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            int valid = 0;
            try {
                HintAreaReader reader = new HintAreaReader(pfnCount, RetryPolicy.spinning(200));
                // progress-based, not time-based: read until the writer has published READS times meanwhile
                for (int i = 0; i < MAX_READS && (i < READS || published.get() < READS); i++) {
                    HintSnapshot s = reader.read(area);
                    assertThat(s).isNotInstanceOf(HintSnapshot.Invalid.class);
                    if (s instanceof HintSnapshot.Valid v) {
                        valid++;
                        assertThat(v.soft()).as("content of generation %d", v.generation())
                                .isEqualTo(sets[(int) ((v.generation() >>> 1) % POOL)]);
                        assertThat(v.publishTimeNanos()).isEqualTo(v.generation());
                    }
                }
            } finally {
                stop.set(true);
                joinUninterruptibly(writer);
            }
            assertThat(failure.get()).isNull();
            assertThat(valid).as("at least one read got a consistent copy").isPositive();
        }
    }

    @Test
    void aGuestCyclingHandshakesNeverYieldsATornFinalSet() {
        qt().withExamples(6).forAll(integers().between(1, 60_000), booleans().all(), longs().all())
                .checkAssert(SeqlockConcurrencyTest::aGuestCyclingHandshakesNeverYieldsATornFinalSet);
    }

    private static void aGuestCyclingHandshakesNeverYieldsATornFinalSet(int pfnCount, boolean extents, long seed) {
        SoftSet[] sets = pool(pfnCount, seed);
        HintAreaGeometry g = geometry(pfnCount, extents, sets);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment area = arena.allocate(g.areaBytes(), HintAreaLayout.PAGE_SIZE);
            HintAreaWriter w = HintAreaWriter.initialize(area, g, 1, 1);
            HintAreaReader reader = new HintAreaReader(pfnCount, RetryPolicy.spinning(200));
            w.request();
            w.publishFinal(sets[1], Set.of(HintFlag.FREE), 1);
            HandshakeTicket ticket = reader.beginHandshake(area);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong cycles = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong reads = new AtomicLong();
            Thread guest = Thread.ofPlatform().start(() -> {
                SplittableRandom r = new SplittableRandom(seed);
                try {
                    while (!stop.get()) {
                        long seq = w.request();
                        w.startDropping();
                        w.publishFinal(sets[(int) (seq % POOL)], Set.of(HintFlag.FREE), seq);
                        if (r.nextInt(4) == 0) {
                            // Now and then hold still until two reads finished: the second ran wholly inside a
                            // stable FINAL_READY, so a consistent read exists however the threads are scheduled.
                            long seen = reads.get();
                            while (!stop.get() && reads.get() < seen + 2) {
                                Thread.onSpinWait();
                            }
                        }
                        // linger in FINAL_READY a little, then either release or let the next request supersede
                        for (int spin = r.nextInt(2000); spin > 0; spin--) {
                            Thread.onSpinWait();
                        }
                        if (r.nextBoolean()) {
                            w.release();
                        }
                        cycles.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            int ready = 0;
            try {
                for (int i = 0; i < MAX_READS && ready < READS && (i < READS || cycles.get() < 2L * READS); i++) {
                    FinalRead r = reader.readFinal(area, ticket);
                    reads.incrementAndGet();
                    assertThat(r).isNotInstanceOf(FinalRead.Invalid.class).isNotInstanceOf(FinalRead.Failed.class);
                    if (r instanceof FinalRead.Ready rd) {
                        ready++;
                        assertThat(rd.seq()).isGreaterThan(ticket.observed().seq());
                        assertThat(rd.finalSet()).as("final set of handshake %d", rd.seq()).isEqualTo(sets[(int) (rd.seq() % POOL)]);
                        assertThat(rd.timeNanos()).isEqualTo(rd.seq());
                    }
                }
            } finally {
                stop.set(true);
                joinUninterruptibly(guest);
            }
            assertThat(failure.get()).isNull();
            assertThat(ready).as("at least one read got a consistent final set").isPositive();
        }
    }
}
