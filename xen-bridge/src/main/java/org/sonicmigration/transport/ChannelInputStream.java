package org.sonicmigration.transport;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * A socket's input as both a stream (for the handshake's lines and the stream's small records, read
 * through a direct buffer) and a channel (for page data, which goes from the kernel into the reader's
 * direct buffer with no copy through the Java heap). A blocking channel read has no timeout in Java, so
 * a watchdog shuts the socket's input when one read stays stuck longer than the timeout, and that read
 * then fails as a {@link SocketTimeoutException}, as a socket stream's read with {@code SO_TIMEOUT} does;
 * the output stays open, so the source can still be told why.
 * It supports mark and reset within its buffer, enough to look at a stream's first bytes.
 */
public final class ChannelInputStream extends InputStream implements ReadableByteChannel {
    private static final int BUFFER = 64 * 1024;

    private final SocketChannel channel;
    private final StallWatchdog watchdog;
    /** Unread bytes between position and limit (read mode). */
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER).limit(0);
    private volatile Duration timeout;
    private int markLimit = -1;
    private boolean open = true;

    /** Reads {@code channel} (blocking mode); a read stuck longer than {@code timeout} ends its input. */
    public ChannelInputStream(SocketChannel channel, Duration timeout) {
        this.channel = channel;
        this.timeout = timeout;
        this.watchdog = new StallWatchdog(channel::shutdownInput, timeout);
    }

    /** Bounds each further read to {@code millis} (e.g. while draining a refused source). */
    public void timeout(int millis) {
        timeout = Duration.ofMillis(millis);
        watchdog.timeout(timeout);
    }

    @Override
    public int read() throws IOException {
        if (!buffer.hasRemaining() && fill() < 0) {
            return -1;
        }
        return buffer.get() & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (!buffer.hasRemaining() && fill() < 0) {
            return -1;
        }
        int n = Math.min(len, buffer.remaining());
        buffer.get(b, off, n);
        return n;
    }

    /** Reads into {@code dst}: what is buffered first, then straight from the channel. */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        if (buffer.hasRemaining()) {
            int n = Math.min(dst.remaining(), buffer.remaining());
            int limit = buffer.limit();
            buffer.limit(buffer.position() + n);
            dst.put(buffer);
            buffer.limit(limit);
            return n;
        }
        if (markLimit >= 0) {
            // A mark must see every byte again: read through the buffer while it holds.
            if (fill() < 0) {
                return -1;
            }
            return read(dst);
        }
        return guarded(dst);
    }

    @Override
    public int available() {
        return buffer.remaining();
    }

    @Override
    public boolean markSupported() {
        return true;
    }

    /** Marks this point; at most {@code readlimit} bytes (up to the buffer's size) may be read before a reset. */
    @Override
    public void mark(int readlimit) {
        buffer.compact().flip();
        buffer.mark();
        markLimit = Math.min(readlimit, BUFFER);
    }

    @Override
    public void reset() throws IOException {
        if (markLimit < 0) {
            throw new IOException("reset without a valid mark");
        }
        buffer.reset();
        markLimit = -1;
    }

    @Override
    public boolean isOpen() {
        return open && channel.isOpen();
    }

    @Override
    public void close() throws IOException {
        open = false;
        watchdog.close();
        channel.close();
    }

    /** Reads more into the buffer: after what is unread, and after the mark's bytes while a mark holds. */
    private int fill() throws IOException {
        if (markLimit >= 0 && buffer.position() >= markLimit) {
            markLimit = -1;
        }
        if (markLimit < 0) {
            buffer.compact();
        } else {
            // keep [0, limit): the mark sits at 0 (mark() compacted), write after the unread bytes
            int pos = buffer.position();
            buffer.position(buffer.limit()).limit(buffer.capacity());
            int n = guarded(buffer);
            buffer.limit(buffer.position()).position(pos);
            return n;
        }
        int n;
        try {
            n = guarded(buffer);
        } finally {
            buffer.flip();
        }
        return n;
    }

    private int guarded(ByteBuffer dst) throws IOException {
        long t = watchdog.begin();
        try {
            int n;
            do {
                n = channel.read(dst);
            } while (n == 0 && dst.hasRemaining());
            if (n < 0 && watchdog.fired()) {
                throw new SocketTimeoutException("no data for " + timeout.toMillis() + " ms");
            }
            return n;
        } finally {
            watchdog.end(t);
        }
    }
}
