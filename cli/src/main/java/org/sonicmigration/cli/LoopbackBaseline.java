package org.sonicmigration.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The yardstick of {@code sonic bench}: the simplest fast Java code that moves bytes memory to memory
 * over loopback TCP — a direct buffer written to a {@code SocketChannel}, a reader thread draining it
 * into another direct buffer — with the CPU time of each side taken from its own thread's clock.
 */
final class LoopbackBaseline {
    /** As much as a migration's batch of 1024 pages. */
    static final int CHUNK = 4 << 20;

    /**
     * What one push measured.
     *
     * @param bytes          bytes that arrived
     * @param nanos          wall time from the connection to the last byte read
     * @param senderCpuNanos the writing thread's CPU time
     * @param readerCpuNanos the reading thread's CPU time
     */
    record Result(long bytes, long nanos, long senderCpuNanos, long readerCpuNanos) {}

    private LoopbackBaseline() {}

    /** Pushes {@code bytes} (incompressible, like guest memory) and waits until the reader has them all. */
    static Result push(long bytes) throws IOException, InterruptedException {
        ByteBuffer source = ByteBuffer.allocateDirect(CHUNK);
        SplittableRandom random = new SplittableRandom(1);
        while (source.remaining() >= Long.BYTES) {
            source.putLong(random.nextLong());
        }
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            AtomicLong received = new AtomicLong();
            AtomicLong readerCpu = new AtomicLong();
            IOException[] failure = new IOException[1];
            Thread reader = Thread.ofPlatform().name("bench-baseline-reader").start(() -> {
                long cpu = ThreadCpu.currentThread();
                ByteBuffer sink = ByteBuffer.allocateDirect(CHUNK);
                try (SocketChannel in = server.accept()) {
                    long n = 0;
                    for (int r; (r = in.read(sink.clear())) >= 0; ) {
                        n += r;
                    }
                    received.set(n);
                } catch (IOException e) {
                    failure[0] = e;
                }
                readerCpu.set(ThreadCpu.currentThread() - cpu);
            });
            long cpu = ThreadCpu.currentThread();
            long start = System.nanoTime();
            try (SocketChannel out = SocketChannel.open(server.getLocalAddress())) {
                for (long left = bytes; left > 0; ) {
                    source.clear().limit((int) Math.min(CHUNK, left));
                    while (source.hasRemaining()) {
                        left -= out.write(source);
                    }
                }
            }
            long senderCpu = ThreadCpu.currentThread() - cpu;
            reader.join();
            long nanos = System.nanoTime() - start;
            if (failure[0] != null) {
                throw failure[0];
            }
            return new Result(received.get(), nanos, senderCpu, readerCpu.get());
        }
    }
}
