package org.sonicmigration.sim;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import org.sonicmigration.guest.FinalRead;
import org.sonicmigration.guest.HintAreaReader;
import org.sonicmigration.guest.HintSnapshot;
import org.sonicmigration.guest.SoftSet;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.sim.kernel.PageState;
import org.sonicmigration.spi.DirtyLog;
import org.sonicmigration.spi.HintChannel;
import org.sonicmigration.spi.PageBitmap;
import org.sonicmigration.spi.SourceDomain;
import org.sonicmigration.spi.TargetDomain;

/**
 * DESIGN.md's engine steps 1-6 over the SPI on a virtual clock, small enough to read in one sitting, so the
 * module and the soft verifier can be tested end to end without the real engine: live rounds skip pages the
 * current hint calls soft (they stay stale), then fetch-and-clean, ticket, notify, wait for the final set,
 * catch-up of stale pages outside it, suspend, and a final round that sends the dirty pages and populates
 * stale final-soft pages without data.
 */
final class SoftMiniMigration {
    private static final int BATCH = 1024;

    private SoftMiniMigration() {
    }

    /**
     * @param answer       the handshake's outcome
     * @param noData       pages populated on the destination without data
     * @param sent         pages sent with data, in all
     */
    record Outcome(FinalRead answer, long noData, long sent) {
    }

    static Outcome run(SimGuest g, SourceDomain src, TargetDomain dst, int liveRounds, Duration betweenRounds) {
        long limit = src.info().pfnLimit();
        HintChannel ch = src.hintChannel().orElseThrow();
        HintAreaReader reader = new HintAreaReader(limit);
        PageBitmap stale = new PageBitmap(limit);
        stale.setAll();
        PageBitmap dirty = new PageBitmap(limit);
        PageBitmap holes = new PageBitmap(limit);
        for (long p = 0; p < limit; p++) {
            if (g.pageState(p) == PageState.HOLE) {
                holes.set(p);
            }
        }
        stale.andNot(holes); // the engine sends holes too (they fail to map); counting them would blur the numbers
        long sent = 0;
        try (DirtyLog log = src.enableDirtyLog(); Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate((long) BATCH * 4096, 4096);
            for (int round = 0; round < liveRounds; round++) {
                PageBitmap send = stale.copy();
                if (reader.read(ch.area()) instanceof HintSnapshot.Valid v) {
                    send.andNot(bitmap(v.soft(), limit));
                }
                sent += send.cardinality();
                MiniMigration.send(src, dst, send, buf);
                stale.andNot(send);
                g.advance(betweenRounds);
                log.fetchAndClean(dirty);
                stale.or(dirty);
            }
            // the last live fetch-and-clean happened just above: now ticket, notify, wait
            FinalRead answer = Dom0Side.handshake(g, ch, Duration.ofSeconds(2)).read();
            PageBitmap finalSoft = answer instanceof FinalRead.Ready r ? bitmap(r.finalSet(), limit) : new PageBitmap(limit);
            PageBitmap catchUp = stale.copy();
            catchUp.andNot(finalSoft);
            sent += catchUp.cardinality();
            MiniMigration.send(src, dst, catchUp, buf);
            stale.and(finalSoft);
            g.advance(betweenRounds);
            src.suspend(Duration.ofSeconds(5));
            log.fetchAndClean(dirty);
            sent += dirty.cardinality();
            MiniMigration.send(src, dst, dirty, buf);
            stale.andNot(dirty);
            long noData = populate(dst, stale);
            dst.restoreState(src.captureState());
            return new Outcome(answer, noData, sent);
        }
    }

    private static PageBitmap bitmap(SoftSet s, long limit) {
        PageBitmap b = new PageBitmap(limit);
        b.copyFrom(s.segment());
        return b;
    }

    private static long populate(TargetDomain dst, PageBitmap which) {
        long[] pfns = new long[BATCH];
        int n = 0;
        long total = 0;
        for (long p = which.nextSetBit(0); p >= 0; p = which.nextSetBit(p + 1)) {
            pfns[n++] = p;
            if (n == BATCH) {
                dst.populate(pfns, n);
                total += n;
                n = 0;
            }
        }
        dst.populate(pfns, n);
        return total + n;
    }
}
