package org.sonicmigration.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sonicmigration.spi.PlatformState;

/**
 * Measures (does not assert) how fast 256 MiB of pages go through writer and reader. Off by default;
 * run with {@code -Dsonic.bench=true -Dtest=StreamThroughputTest}.
 */
@EnabledIfSystemProperty(named = "sonic.bench", matches = "true")
class StreamThroughputTest {

    private static final Logger LOG = LoggerFactory.getLogger(StreamThroughputTest.class);
    private static final int PAGES = 256 * 256;     // 256 MiB
    private static final int BATCH = 1024;

    private static long writeStream(OutputStream out, MemorySegment batchData) {
        PlatformState state = Fixtures.xenLikeState();
        StreamWriter w = new StreamWriter(out);
        Fixtures.begin(w, Framing.XL);
        w.writeStaticState(state);
        long[] pfns = new long[BATCH];
        PageType[] types = new PageType[BATCH];
        Arrays.fill(types, PageType.NOTAB);
        for (int base = 0; base < PAGES; base += BATCH) {
            for (int i = 0; i < BATCH; i++) {
                pfns[i] = base + i;
            }
            w.writePages(pfns, types, BATCH, batchData);
        }
        w.writeFinalState(state);
        Fixtures.end(w, Framing.XL);
        return w.bytesWritten();
    }

    private static void report(String what, long bytes, long nanos) {
        LOG.info("{}: {} MiB in {} ms = {} MiB/s", what, bytes >> 20, nanos / 1_000_000,
                String.format("%.0f", bytes / (double) (1 << 20) / (nanos / 1e9)));
    }

    @Test
    void measureWriterAndReader() throws Exception {
        OutputStream nul = OutputStream.nullOutputStream();
        byte[] heap = Fixtures.pattern(BATCH * 4096, 7);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment nat = arena.allocate(heap.length, 4096);
            nat.copyFrom(MemorySegment.ofArray(heap));
            for (int round = 0; round < 3; round++) {   // the first rounds warm the JIT up
                long t0 = System.nanoTime();
                long n = writeStream(nul, nat);
                report("write, native segment (one copy) to null stream, round " + round, n, System.nanoTime() - t0);
                t0 = System.nanoTime();
                n = writeStream(nul, MemorySegment.ofArray(heap));
                report("write, heap segment (no copy) to null stream, round " + round, n, System.nanoTime() - t0);
                assertThat(n).isGreaterThan((long) PAGES * 4096);
            }
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream(PAGES * 4096 + (16 << 20));
        writeStream(buf, MemorySegment.ofArray(heap));
        byte[] stream = buf.toByteArray();
        for (int round = 0; round < 6; round++) {
            StreamSummary summary = new StreamSummary();
            long t0 = System.nanoTime();
            StreamReader r = new StreamReader(new ByteArrayInputStream(stream), StreamLimits.defaults());
            r.read(Framing.XL, summary);
            report("read from memory, round " + round, r.bytesRead(), System.nanoTime() - t0);
            assertThat(summary.pagesWithData()).isEqualTo(PAGES);
        }
    }
}
