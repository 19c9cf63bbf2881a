package org.sonicmigration.sim.experiment;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * A collocated workload for the noise experiment: threads that hash (SHA-256) buffers larger than the CPU's
 * caches, round and round, counting the bytes hashed. It needs the CPU and streams memory, so whatever else
 * the host does (a migration's sender, receiver, verifier) shows up as a drop in its throughput.
 */
public final class HashingLoad implements AutoCloseable {
    /** Bytes hashed between two updates of the counter: small against a 100 ms sample at any realistic speed. */
    static final int CHUNK = 256 << 10;

    private final LongAdder hashed = new LongAdder();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stop;

    /**
     * Starts {@code threads} hashing threads, each over its own buffer of {@code bufferBytes} random bytes.
     *
     * @throws IllegalArgumentException if there is no thread or the buffer is smaller than one chunk
     */
    public HashingLoad(int threads, int bufferBytes) {
        if (threads < 1 || bufferBytes < CHUNK) {
            throw new IllegalArgumentException("a hashing load needs at least one thread and a buffer of at least "
                    + CHUNK + " bytes, got " + threads + " threads of " + bufferBytes + " bytes");
        }
        for (int i = 0; i < threads; i++) {
            byte[] buffer = new byte[bufferBytes];
            new SplittableRandom(i).nextBytes(buffer);
            Thread t = new Thread(() -> hashFor(buffer), "noise-load-" + i);
            t.setDaemon(true);
            this.threads.add(t);
        }
        this.threads.forEach(Thread::start);
    }

    /** CPU nanoseconds the hashing threads have used so far. */
    public long cpuNanos() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : threads) {
            sum += Math.max(0, mx.getThreadCpuTime(t.threadId()));
        }
        return sum;
    }

    /** Bytes hashed so far by all threads. */
    public long bytesHashed() {
        return hashed.sum();
    }

    private void hashFor(byte[] buffer) {
        MessageDigest md = sha256();
        int chunks = buffer.length / CHUNK;
        while (!stop) {
            for (int c = 0; c < chunks && !stop; c++) {
                md.update(buffer, c * CHUNK, CHUNK);
                hashed.add(CHUNK);
            }
            // a digest per pass keeps the work from being optimised away and the state bounded
            buffer[0] ^= md.digest()[0];
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Stops the threads and waits for them; an interrupt ends the wait and is kept for the caller. */
    @Override
    public void close() {
        stop = true;
        try {
            for (Thread t : threads) {
                t.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
