package org.sonicmigration.sim.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Samples a growing counter at a fixed period and turns it into a throughput series: each sample is the
 * counter's rate over the interval that ends at its time. Times are seconds from an origin the caller sets
 * (the migration's start), so samples taken before it are negative.
 */
final class ThroughputSampler implements AutoCloseable {
    private final LongSupplier counter;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "noise-sampler");
        t.setDaemon(true);
        return t;
    });
    private final List<long[]> readings = new ArrayList<>();
    private final long periodNanos;
    private boolean closed;

    ThroughputSampler(LongSupplier counter, long periodNanos) {
        this.counter = counter;
        this.periodNanos = periodNanos;
        read();
        timer.scheduleAtFixedRate(this::read, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    }

    private void read() {
        long t = System.nanoTime();
        long v = counter.getAsLong();
        synchronized (readings) {
            // a timer that fell behind (the host is loaded) fires its missed readings back to back: an interval
            // of a few microseconds says nothing about a rate, so such readings are skipped
            if (!readings.isEmpty() && t - readings.getLast()[0] < periodNanos / 2) {
                return;
            }
            readings.add(new long[] {t, v});
        }
    }

    /** Stops sampling after one last reading; closing again does nothing. An interrupt is kept for the caller. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        timer.shutdown();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        read();
    }

    /** The samples so far, each the rate (units per second) over the interval ending at its time. */
    List<ThroughputLoss.Sample> samples(long originNanos) {
        List<long[]> r;
        synchronized (readings) {
            r = List.copyOf(readings);
        }
        List<ThroughputLoss.Sample> out = new ArrayList<>();
        for (int i = 1; i < r.size(); i++) {
            long dt = r.get(i)[0] - r.get(i - 1)[0];
            if (dt <= 0) {
                continue;
            }
            out.add(new ThroughputLoss.Sample((r.get(i - 1)[0] - originNanos) / 1e9, (r.get(i)[0] - originNanos) / 1e9,
                    (r.get(i)[1] - r.get(i - 1)[1]) * 1e9 / dt));
        }
        return out;
    }
}
