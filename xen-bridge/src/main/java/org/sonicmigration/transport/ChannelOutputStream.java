package org.sonicmigration.transport;

import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;

/**
 * A socket's output as both a stream (for the handshake's lines and the stream's small records, gathered
 * in a direct buffer) and a gathering channel (for page data, which goes from the sender's direct batch
 * buffer to the kernel in one {@code writev} with whatever small records wait before it): no copy into
 * the Java heap and back. Every write is guarded by the stall watchdog, and a failed write is a
 * {@link SocketException}, as the stream of a plain socket reports it, so that a refusal the peer left
 * on the connection is still found.
 */
final class ChannelOutputStream extends OutputStream implements GatheringByteChannel {
    private static final int SMALL = 64 * 1024;

    private final GatheringByteChannel channel;
    private final StallWatchdog watchdog;
    private final ByteBuffer pending = ByteBuffer.allocateDirect(SMALL);
    private final ByteBuffer[] one = new ByteBuffer[1];
    private boolean open = true;

    ChannelOutputStream(GatheringByteChannel channel, StallWatchdog watchdog) {
        this.channel = channel;
        this.watchdog = watchdog;
    }

    @Override
    public void write(int b) throws IOException {
        if (!pending.hasRemaining()) {
            drain();
        }
        pending.put((byte) b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (!pending.hasRemaining()) {
                drain();
            }
            int n = Math.min(len, pending.remaining());
            pending.put(b, off, n);
            off += n;
            len -= n;
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        one[0] = src;
        return (int) write(one, 0, 1);
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        return write(srcs, 0, srcs.length);
    }

    /** Writes all of {@code srcs}, after the small writes still waiting, in as few system calls as the kernel takes. */
    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += srcs[i].remaining();
        }
        pending.flip();
        ByteBuffer[] all = new ByteBuffer[length + 1];
        all[0] = pending;
        System.arraycopy(srcs, offset, all, 1, length);
        try {
            long left = total + pending.remaining();
            while (left > 0) {
                left -= guarded(all);
            }
        } finally {
            pending.clear();
        }
        return total;
    }

    @Override
    public void flush() throws IOException {
        drain();
    }

    @Override
    public boolean isOpen() {
        return open && channel.isOpen();
    }

    @Override
    public void close() throws IOException {
        if (open) {
            try {
                flush();
            } finally {
                open = false;
                channel.close();
            }
        }
    }

    private void drain() throws IOException {
        pending.flip();
        one[0] = pending;
        try {
            while (pending.hasRemaining()) {
                guarded(one);
            }
        } finally {
            pending.clear();
        }
    }

    private long guarded(ByteBuffer[] bufs) throws IOException {
        long t = watchdog.begin();
        try {
            return channel.write(bufs);
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            throw new SocketException(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), e);
        } finally {
            watchdog.end(t);
        }
    }
}
