package org.sonicmigration.cli;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Per-thread CPU time of this process over a measured stretch, split into named groups (sender,
 * receiver, guest, …): a daemon samples every live thread's CPU clock every few milliseconds and keeps
 * the last value seen of each, so a thread that ends in between loses at most one period of its time.
 * One thread (the caller's) can be left out, for the caller to measure exactly with its own clock.
 */
final class ThreadCpu {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final long PERIOD_MILLIS = 5;

    private final long excluded;
    private final Function<String, String> groupOf;
    private final Map<Long, Long> start = new HashMap<>();
    private final Map<Long, Long> last = new HashMap<>();
    private final Map<Long, String> names = new HashMap<>();
    private final Thread sampler;
    private volatile boolean running = true;

    /** Starts sampling every thread but {@code excluded}; {@code groupOf} maps a thread's name to its group. */
    ThreadCpu(Thread excluded, Function<String, String> groupOf) {
        this.excluded = excluded.threadId();
        this.groupOf = groupOf;
        sample(true);
        sampler = Thread.ofPlatform().daemon().name("bench-cpu-sampler").start(() -> {
            while (running) {
                sample(false);
                try {
                    Thread.sleep(PERIOD_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** CPU nanoseconds of the calling thread so far. */
    static long currentThread() {
        return THREADS.getCurrentThreadCpuTime();
    }

    /** Bytes the calling thread has allocated on the heap so far. */
    static long currentThreadAllocated() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /** CPU nanoseconds of the whole process so far (every thread, the JVM's own GC and JIT threads included). */
    static long process() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** Takes a sample now (e.g. just before the threads being measured end). */
    synchronized void sample(boolean first) {
        long self = Thread.currentThread().threadId();
        for (var info : THREADS.getThreadInfo(THREADS.getAllThreadIds(), 0)) {
            if (info == null) {
                continue;
            }
            long id = info.getThreadId();
            if (id == excluded || id == self || (sampler != null && id == sampler.threadId())) {
                continue;
            }
            long cpu = THREADS.getThreadCpuTime(id);
            if (cpu < 0) {
                continue;
            }
            if (first) {
                start.put(id, cpu);
            }
            last.put(id, cpu);
            names.putIfAbsent(id, info.getThreadName());
        }
    }

    /** Stops sampling; CPU nanoseconds per group since construction. */
    Map<String, Long> stop() throws InterruptedException {
        sample(false);
        running = false;
        sampler.interrupt();
        sampler.join();
        synchronized (this) {
            return groups();
        }
    }

    private Map<String, Long> groups() {
        Map<String, Long> groups = new HashMap<>();
        for (var e : last.entrySet()) {
            long used = e.getValue() - start.getOrDefault(e.getKey(), 0L);
            groups.merge(groupOf.apply(names.get(e.getKey())), used, Long::sum);
        }
        return groups;
    }
}
