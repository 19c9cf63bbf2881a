package org.sonicmigration.transport;

import org.sonicmigration.spi.VirtualClock;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ThrottledOutputStreamTest {

    @Test
    void aVirtualClockAdvancesByExactlyTheTransferTime() throws IOException {
        VirtualClock clock = new VirtualClock();
        AtomicLong seen = new AtomicLong();
        clock.onAdvance(seen::addAndGet);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (ThrottledOutputStream out = new ThrottledOutputStream(sink, Bandwidth.parse("1Gbit"), clock)) {
            out.write(new byte[10_000_000]);
            out.write(new byte[2_500_000], 0, 2_500_000);
        }
        // 12.5 MB at 125 MB/s is 100 ms, to the nanosecond, and nothing is lost on the way.
        assertThat(clock.nanoTime()).isEqualTo(100_000_000L);
        assertThat(seen.get()).isEqualTo(100_000_000L);
        assertThat(sink.size()).isEqualTo(12_500_000);
    }

    @Test
    void nothingWrittenTakesNoTime() throws IOException {
        VirtualClock clock = new VirtualClock();
        try (ThrottledOutputStream out = new ThrottledOutputStream(new ByteArrayOutputStream(), Bandwidth.parse("1Mbit"), clock)) {
            out.flush();
        }
        assertThat(clock.nanoTime()).isZero();
    }

    @Test
    void aStreamThatFellBehindDoesNotBurstAboveTheCapLater() throws IOException {
        VirtualClock clock = new VirtualClock();
        try (ThrottledOutputStream out = new ThrottledOutputStream(new ByteArrayOutputStream(), Bandwidth.parse("1Gbit"), clock)) {
            out.write(new byte[1_250_000]); // 10 ms at the cap
            clock.advance(5_000_000_000L); // then the source stalls for 5 s
            long before = clock.nanoTime();
            out.write(new byte[125_000_000]); // one second's worth at the cap
            // Only one burst (256 KiB, about 2 ms) of the stall may be used as credit.
            assertThat(clock.nanoTime() - before).isBetween(997_000_000L, 1_000_000_000L);
        }
    }
}
