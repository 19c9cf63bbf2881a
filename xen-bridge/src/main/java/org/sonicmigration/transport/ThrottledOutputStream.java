package org.sonicmigration.transport;

import org.sonicmigration.spi.Clock;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;

/**
 * Caps the rate of an output stream, so a migration can leave bandwidth to the other guests. Bytes
 * are charged before they are sent: the stream runs no faster than the cap over any window longer
 * than one burst, however slow it was before. With a virtual clock this is also where transfer time is modelled.
 */
public final class ThrottledOutputStream extends FilterOutputStream {
    private static final int BURST = 256 * 1024;

    /** Credit a stream may save up while it was slower than the cap: one burst's worth, no more. */
    private final long maxCreditNanos;
    private final Bandwidth rate;
    private final Clock clock;
    private long due;

    public ThrottledOutputStream(OutputStream out, Bandwidth rate, Clock clock) {
        super(out);
        this.rate = rate;
        this.clock = clock;
        this.due = clock.nanoTime();
        this.maxCreditNanos = rate.nanosFor(BURST);
    }

    @Override
    public void write(int b) throws IOException {
        charge(1);
        out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = Math.min(len, BURST);
            charge(n);
            out.write(b, off, n);
            off += n;
            len -= n;
        }
    }

    private void charge(int n) throws IOException {
        long now = clock.nanoTime();
        // A stream that fell behind (a slow source) may not make up for it by exceeding the cap later.
        due = Math.max(due, now - maxCreditNanos) + rate.nanosFor(n);
        long wait = due - now;
        if (wait > 0) {
            try {
                clock.sleepNanos(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("migration interrupted while throttled");
            }
        }
    }
}
