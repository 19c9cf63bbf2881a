package org.sonicmigration.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.sonicmigration.spi.PlatformState;
import org.sonicmigration.stream.Framing;
import org.sonicmigration.stream.PageType;
import org.sonicmigration.stream.RecordLayer;
import org.sonicmigration.stream.StreamFormatException;
import org.sonicmigration.stream.StreamLimits;
import org.sonicmigration.stream.StreamReader;
import org.sonicmigration.stream.StreamSink;

/**
 * A TCP proxy between a migration's sender and its receiver that fails on cue: it forwards one
 * connection both ways and, on the way to the receiver, parses the migration stream with the stream
 * package's own reader, so that it knows where each record starts. It can reset both connections after
 * exactly N bytes of the stream, or just before the k-th record, or stop reading and forwarding there
 * (a stalled peer). Bytes reach the receiver only once the parser has passed them, so a cut before a
 * record delivers exactly the bytes before it. After the stream's end, xl's handshake flows through raw.
 */
final class FaultProxy implements AutoCloseable {
    /** What the proxy does to the stream. */
    sealed interface Fault {
        /** Forwards everything; learns the records. */
        record None() implements Fault {}

        /** Forwards exactly {@code bytes} bytes of the stream, then resets both connections. */
        record CutAtByte(long bytes) implements Fault {}

        /** Forwards the stream up to the start of record {@code at}, then resets both connections. */
        record CutAtRecord(Anchor at) implements Fault {}

        /**
         * Forwards the stream up to {@code delta} bytes after the start of record {@code at} (-1: the last byte of
         * the record before it; 8: the end of its header), then resets both connections.
         */
        record CutInRecord(Anchor at, long delta) implements Fault {}

        /** Forwards the stream up to the middle of record {@code at}'s body, then resets both connections. */
        record CutHalfwayThrough(Anchor at) implements Fault {}

        /** Forwards the stream up to the start of record {@code at}, then neither reads nor forwards again. */
        record StallAtRecord(Anchor at) implements Fault {}
    }

    /**
     * A record of the stream named by its layer and type and which one of that kind it is (0: the first): the
     * same record in another run of the same migration, where the number of pages of the later passes, and so
     * an index counted over all records, may differ.
     */
    record Anchor(RecordLayer layer, int type, int occurrence) {}

    /** Unwinds the parser where the fault strikes. */
    private static final class Strike extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Strike() {
            super(null, null, false, false);
        }
    }

    private final ServerSocket server;
    private final int receiverPort;
    private final Fault fault;
    private final Thread acceptor;
    private final List<Anchor> records = new ArrayList<>();
    private final java.util.Map<String, Integer> seen = new java.util.HashMap<>();
    private final CountDownLatch struck = new CountDownLatch(1);
    private volatile Socket up;
    private volatile Socket down;
    private volatile long streamBytes = -1;
    private volatile boolean closed;
    private Thread back;

    FaultProxy(int receiverPort, Fault fault) throws IOException {
        this.server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        this.receiverPort = receiverPort;
        this.fault = fault;
        this.acceptor = Thread.ofPlatform().name("fault-proxy").start(this::serve);
    }

    int port() {
        return server.getLocalPort();
    }

    /** The records the stream had, in order (all of them after a clean run). */
    synchronized List<Anchor> records() {
        return List.copyOf(records);
    }

    /** The stream's length, once it was read to its end; -1 before. */
    long streamBytes() {
        return streamBytes;
    }

    /** True once the fault struck. */
    boolean struck() {
        return struck.getCount() == 0;
    }

    private void serve() {
        try (Socket source = server.accept(); Socket dest = new Socket(InetAddress.getLoopbackAddress(), receiverPort)) {
            up = source;
            down = dest;
            back = Thread.ofPlatform().name("fault-proxy-back").start(() -> pipe(dest, source));
            Tee tee = new Tee(source.getInputStream(), dest.getOutputStream());
            try {
                new StreamReader(tee, StreamLimits.defaults()).read(Framing.XL, new Boundaries(tee));
                tee.release(tee.consumed);
                streamBytes = tee.consumed;
                source.getInputStream().transferTo(dest.getOutputStream());
                dest.shutdownOutput();
            } catch (Strike s) {
                struck.countDown();
                if (fault instanceof Fault.StallAtRecord) {
                    // A peer that neither reads nor closes: only the other side's timeouts end this.
                    while (!closed) {
                        Thread.sleep(50);
                    }
                }
                reset(source);
                reset(dest);
            } catch (StreamFormatException | java.io.UncheckedIOException e) {
                // The sender stopped mid-stream (it failed for a reason of its own) or the receiver went away.
                reset(source);
                reset(dest);
            }
            back.join();
        } catch (IOException | InterruptedException e) {
            // a side went away: the sockets close with this block
        }
    }

    private static void pipe(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
            to.shutdownOutput();
        } catch (IOException e) {
            // connection gone
        }
    }

    private static void reset(Socket s) throws IOException {
        if (!s.isClosed()) {
            s.setSoLinger(true, 0);
            s.close();
        }
    }

    /** The sender's bytes as the parser pulls them; handed on to the receiver only when {@link #release}d. */
    private final class Tee extends InputStream {
        private final InputStream in;
        private final OutputStream out;
        private byte[] pending = new byte[1 << 16];
        private int pendingLength;
        private long released;
        long consumed;

        Tee(InputStream in, OutputStream out) {
            this.in = in;
            this.out = out;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        /** Where the cut falls, once known: the parser is given no byte beyond it. */
        long limit = fault instanceof Fault.CutAtByte(long bytes) ? bytes : Long.MAX_VALUE;

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (consumed + len > limit) {
                len = (int) Math.max(0, limit - consumed);
                if (len == 0) {
                    release(limit);
                    throw new Strike();
                }
            }
            int n = in.read(b, off, len);
            if (n > 0) {
                if (pendingLength + n > pending.length) {
                    pending = Arrays.copyOf(pending, Math.max(2 * pending.length, pendingLength + n));
                }
                System.arraycopy(b, off, pending, pendingLength, n);
                pendingLength += n;
                consumed += n;
            }
            return n;
        }

        /** Hands the stream up to offset {@code upTo} on to the receiver. */
        void release(long upTo) throws IOException {
            int n = (int) (upTo - released);
            if (n <= 0) {
                return;
            }
            out.write(pending, 0, n);
            out.flush();
            System.arraycopy(pending, n, pending, 0, pendingLength - n);
            pendingLength -= n;
            released = upTo;
        }
    }

    /** Notes each record's offset; releases what lies before it, or strikes there. */
    private final class Boundaries implements StreamSink {
        private final Tee tee;
        private long previous;

        Boundaries(Tee tee) {
            this.tee = tee;
        }

        @Override
        public void onRecord(RecordLayer layer, int type, long offset, int bodyLength) {
            Anchor here;
            synchronized (FaultProxy.this) {
                here = new Anchor(layer, type, seen.merge(layer + ":" + type, 1, Integer::sum) - 1);
                records.add(here);
            }
            try {
                // Everything before the record before this one: a cut just before this record may still fall there.
                tee.release(previous);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            previous = offset;
            long cut = switch (fault) {
                case Fault.CutAtRecord(Anchor at) when at.equals(here) -> offset;
                case Fault.StallAtRecord(Anchor at) when at.equals(here) -> offset;
                case Fault.CutInRecord(Anchor at, long delta) when at.equals(here) -> offset + delta;
                case Fault.CutHalfwayThrough(Anchor at) when at.equals(here) -> offset + 8 + bodyLength / 2;
                default -> -1;
            };
            if (cut < 0) {
                return;
            }
            try {
                // What lies before the header is still pending here, and so is the header itself.
                if (cut <= tee.consumed) {
                    tee.release(cut);
                    throw new Strike();
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            tee.limit = cut;
        }

        @Override
        public void onPages(long[] pfns, PageType[] types, int count, MemorySegment data) {}

        @Override
        public void onPlatformState(PlatformState s) {}
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket s : new Socket[] {up, down}) {
            if (s != null) {
                s.close();
            }
        }
        try {
            acceptor.join(10_000);
            if (back != null) {
                back.join(10_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
