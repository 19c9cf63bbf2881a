package org.sonicmigration.migrate;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;

/**
 * Java sockets have no write timeout, and a receiver that stops reading without closing would block
 * the source forever — possibly with its guest suspended. This closes the socket when one write has
 * been stuck longer than the timeout, which turns the hang into an error the engine rolls back from.
 */
final class WriteWatchdog implements AutoCloseable {
    private final Socket socket;
    private final long timeoutNanos;
    private final Thread thread;
    private volatile long writeStarted;
    private volatile boolean fired;
    private volatile boolean closed;

    WriteWatchdog(Socket socket, Duration timeout) {
        this.socket = socket;
        this.timeoutNanos = timeout.toNanos();
        this.thread = Thread.ofVirtual().name("write-watchdog").start(this::watch);
    }

    OutputStream wrap(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                writeStarted = System.nanoTime();
                try {
                    out.write(b, off, len);
                } finally {
                    writeStarted = 0;
                }
            }

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }
        };
    }

    boolean fired() {
        return fired;
    }

    private void watch() {
        long tick = Math.max(1_000_000L, Math.min(timeoutNanos / 4, 1_000_000_000L));
        while (!closed) {
            try {
                Thread.sleep(Duration.ofNanos(tick));
            } catch (InterruptedException e) {
                return;
            }
            long started = writeStarted;
            if (started != 0 && System.nanoTime() - started > timeoutNanos) {
                fired = true;
                try {
                    socket.close();
                } catch (IOException e) {
                    // closing is all we can do
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
