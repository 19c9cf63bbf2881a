package org.sonicmigration.migrate;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;

/**
 * Caps the rate of an output stream, so a migration can leave bandwidth to the other guests. Bytes
 * are charged before they are sent: the stream runs no faster than the cap over any window longer
 * than one burst. With a virtual clock this is also where transfer time is modelled.
 */
public final class ThrottledOutputStream extends FilterOutputStream {
    private static final int BURST = 256 * 1024;

    private final Bandwidth rate;
    private final Clock clock;
    private final long start;
    private long bytes;

    public ThrottledOutputStream(OutputStream out, Bandwidth rate, Clock clock) {
        super(out);
        this.rate = rate;
        this.clock = clock;
        this.start = clock.nanoTime();
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
        bytes += n;
        long due = start + rate.nanosFor(bytes);
        long wait = due - clock.nanoTime();
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
