package org.sonicmigration.sim;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.function.Consumer;
import org.sonicmigration.spi.DirtyLog;
import org.sonicmigration.spi.DomainSpec;
import org.sonicmigration.spi.PageBitmap;
import org.sonicmigration.spi.SourceDomain;
import org.sonicmigration.spi.TargetDomain;

/**
 * A plain pre-copy loop over the SPI (no soft pages), for testing the simulator end to end: send everything,
 * resend dirty pages for a few rounds, suspend, send the last dirty pages and the platform state.
 */
final class MiniMigration {
    private static final int BATCH = 1024;

    private MiniMigration() {
    }

    /**
     * @param betweenRounds called after each live round (virtual-clock tests advance the guest there)
     */
    static void run(SourceDomain src, TargetDomain dst, int liveRounds, Consumer<Integer> betweenRounds) {
        long limit = src.info().pfnLimit();
        PageBitmap todo = new PageBitmap(limit);
        todo.setAll();
        try (DirtyLog log = src.enableDirtyLog(); Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate((long) BATCH * 4096, 4096);
            for (int round = 0; round < liveRounds; round++) {
                send(src, dst, todo, buf);
                betweenRounds.accept(round);
                log.fetchAndClean(todo);
            }
            src.suspend(Duration.ofSeconds(5));
            PageBitmap last = new PageBitmap(limit);
            log.fetchAndClean(last);
            todo.or(last);
            send(src, dst, todo, buf);
            dst.restoreState(src.captureState());
        }
    }

    static void send(SourceDomain src, TargetDomain dst, PageBitmap which, MemorySegment buf) {
        long[] pfns = new long[BATCH];
        long[] ok = new long[BATCH];
        int[] errors = new int[BATCH];
        int n = 0;
        for (long p = which.nextSetBit(0); p >= 0; p = which.nextSetBit(p + 1)) {
            pfns[n++] = p;
            if (n == BATCH) {
                batch(src, dst, pfns, n, ok, errors, buf);
                n = 0;
            }
        }
        batch(src, dst, pfns, n, ok, errors, buf);
    }

    private static void batch(SourceDomain src, TargetDomain dst, long[] pfns, int n, long[] ok, int[] errors,
                              MemorySegment buf) {
        if (n == 0) {
            return;
        }
        src.readFrames(pfns, n, buf, errors);
        // compact the readable frames to the front, as a stream writer would
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (errors[i] == 0) {
                if (k != i) {
                    MemorySegment.copy(buf, (long) i * 4096, buf, (long) k * 4096, 4096);
                }
                ok[k++] = pfns[i];
            }
        }
        dst.writeFrames(ok, k, buf);
    }

    static DomainSpec specFor(SourceDomain src, String name) {
        return new DomainSpec(name, src.info().pfnLimit(), 4096, 2);
    }
}
