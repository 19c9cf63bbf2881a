package org.sonicmigration.transport;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;

/**
 * Neither a socket write nor a pipe read or write has a timeout in Java, and a receiver that stops
 * reading or answering without closing would block the source forever — possibly with its guest
 * suspended. This ends the channel ({@code onStall}: close the socket, kill the receiver process) when
 * one read or write through a wrapped stream has been stuck longer than the timeout, which turns the
 * hang into an error the engine rolls back from.
 */
final class StallWatchdog implements AutoCloseable {
    private final AutoCloseable onStall;
    private volatile long timeoutNanos;
    private final Thread thread;
    private volatile long operationStarted;
    private volatile boolean fired;
    private volatile boolean closed;

    StallWatchdog(AutoCloseable onStall, Duration timeout) {
        this.onStall = onStall;
        this.timeoutNanos = timeout.toNanos();
        this.thread = Thread.ofVirtual().name("stall-watchdog").start(this::watch);
    }

    OutputStream wrap(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                long t = begin();
                try {
                    out.write(b, off, len);
                } finally {
                    end(t);
                }
            }

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }
        };
    }

    InputStream wrap(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                long t = begin();
                try {
                    return in.read(b, off, len);
                } finally {
                    end(t);
                }
            }

            @Override
            public int read() throws IOException {
                long t = begin();
                try {
                    return in.read();
                } finally {
                    end(t);
                }
            }
        };
    }

    /** From now on, one operation may last at most {@code timeout}. */
    void timeout(Duration timeout) {
        timeoutNanos = timeout.toNanos();
    }

    /** True once the watchdog ended the channel. */
    boolean fired() {
        return fired;
    }

    // One operation at a time is all the engine does (it writes, then reads); 0 means "none running".
    long begin() {
        long t = System.nanoTime() | 1;
        operationStarted = t;
        return t;
    }

    void end(long t) {
        if (operationStarted == t) {
            operationStarted = 0;
        }
    }

    private void watch() {
        while (!closed) {
            long tick = Math.max(1_000_000L, Math.min(timeoutNanos / 4, 1_000_000_000L));
            try {
                Thread.sleep(Duration.ofNanos(tick));
            } catch (InterruptedException e) {
                return;
            }
            long started = operationStarted;
            if (started != 0 && System.nanoTime() - started > timeoutNanos) {
                fired = true;
                try {
                    onStall.close();
                } catch (Exception e) {
                    // ending the channel is all we can do
                }
                return;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
