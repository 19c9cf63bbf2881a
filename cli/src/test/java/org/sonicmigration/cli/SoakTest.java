package org.sonicmigration.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Back-to-back simulated migrations in one process (issue 15, item 3), each {@code sonic simulate} as a user
 * runs it — a guest with page cache, memory churn and a random writer running during the migration, the
 * real engine and receiver over loopback TCP, every page verified — with the process's heap after a full
 * GC, its live threads and its open file descriptors taken at the start, every 20 migrations and at the
 * end. They must stay flat: threads and descriptors exactly as at the start (once the last run's have
 * ended), the heap within {@value #HEAP_TOLERANCE_MIB} MiB of it. 20 migrations in {@code mvn verify};
 * {@code -Dsonic.soak.migrations=200} (what {@code scripts/soak.sh} runs) for the long one.
 */
@Timeout(3600)
class SoakTest {
    private static final int MIGRATIONS = Integer.getInteger("sonic.soak.migrations", 20);
    private static final int HEAP_TOLERANCE_MIB = 16;
    private static final String[] SIMULATE = {"simulate", "--memory", "64M", "--workload", "cache:16",
            "--workload", "churn:2000", "--workload", "writer:4000:8", "--bandwidth", "1Gbit", "--no-progress", "-q"};

    /** One measurement of the process. */
    private record Sample(int migrations, long heapMiB, int threads, long fds) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "| %d | %d | %d | %d |", migrations, heapMiB, threads, fds);
        }
    }

    @Test
    void migrationAfterMigrationLeavesHeapThreadsAndFilesFlat() throws Exception {
        run(1); // the first run loads the classes and opens the jars every later one uses
        List<Sample> samples = new ArrayList<>();
        Sample start = sample(0, Integer.MAX_VALUE);
        samples.add(start);
        long started = System.nanoTime();
        for (int i = 1; i <= MIGRATIONS; i++) {
            run(i);
            if (i % 20 == 0 || i == MIGRATIONS) {
                samples.add(sample(i, start.threads()));
            }
        }
        System.out.printf(Locale.ROOT, "soak: %d migrations in %.1f s%n| migrations | heap after GC (MiB) | threads | open fds |%n",
                MIGRATIONS, (System.nanoTime() - started) / 1e9);
        samples.forEach(System.out::println);
        Sample first = samples.getFirst();
        Sample last = samples.getLast();
        assertThat(last.threads()).as(samples.toString()).isEqualTo(first.threads());
        assertThat(last.fds()).as(samples.toString()).isLessThanOrEqualTo(first.fds());
        assertThat(last.heapMiB()).as(samples.toString()).isLessThanOrEqualTo(first.heapMiB() + HEAP_TOLERANCE_MIB);
    }

    private static void run(int i) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] args = java.util.Arrays.copyOf(SIMULATE, SIMULATE.length + 2);
        args[SIMULATE.length] = "--seed";
        args[SIMULATE.length + 1] = Integer.toString(i);
        int code = Sonic.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(code).as("migration " + i + " completed and verified: " + out + err).isZero();
    }

    /**
     * The heap after GC, threads and descriptors, once the threads are down to {@code settleTo} or 10 s have
     * passed (the last migration's threads may take a moment to end).
     */
    private static Sample sample(int migrations, int settleTo) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        int threads = SourceWitness.threadNames().size();
        while (System.nanoTime() < deadline && threads > settleTo) {
            Thread.sleep(100);
            threads = SourceWitness.threadNames().size();
        }
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
        return new Sample(migrations, heap, threads, SourceWitness.openFds());
    }
}
