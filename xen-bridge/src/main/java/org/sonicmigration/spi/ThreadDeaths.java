package org.sonicmigration.spi;

import java.util.Optional;

/**
 * Where the threads of a migration — the engine's sender, a receiver, a simulated guest's vCPU — leave
 * the {@link Error} (out of memory, a stack overflow, a bug) that ended their work, so that the
 * migration's report names that error rather than the symptom another thread sees next: when the
 * receiver of an in-process simulation runs out of memory the sender only sees a broken pipe. The
 * record is process-wide, as the heap is; a migration takes a {@link #mark()} when it starts and asks
 * for the first death {@link #firstSince} it. One migration at a time per process is what the
 * command line runs; a second one would see the first one's deaths too, which errs on naming a
 * real error of this JVM.
 */
public final class ThreadDeaths {
    /** How many deaths are kept: only the first after a mark matters, and a thread dies once. */
    private static final int KEPT = 16;
    // Preallocated, because recording must not allocate: the error may be that the heap is full.
    private static final String[] threads = new String[KEPT];
    private static final Throwable[] errors = new Throwable[KEPT];
    private static long sequence;

    private ThreadDeaths() {}

    /**
     * One thread's fatal error.
     *
     * @param sequence its place in the order of deaths (see {@link #mark()})
     * @param thread   the name of the thread it happened in
     * @param error    what was thrown
     */
    public record Death(long sequence, String thread, Throwable error) {
        /** One line for a report: what happened, where, and what the operator can do about it. */
        public String describe() {
            return ThreadDeaths.describe(thread, error);
        }
    }

    /** The sequence number of the last death so far; a later {@link #firstSince} sees only those after it. */
    public static synchronized long mark() {
        return sequence;
    }

    /**
     * Notes that {@code error} ends the current thread's work (call it where the error is caught, then rethrow or
     * stop). Allocates nothing, so that it works when the heap is full.
     */
    public static void record(Throwable error) {
        record(Thread.currentThread().getName(), error);
    }

    /** Notes that {@code error} ended the work of the thread named {@code thread}; allocates nothing. */
    public static synchronized void record(String thread, Throwable error) {
        sequence++;
        int slot = (int) (sequence % KEPT);
        threads[slot] = thread;
        errors[slot] = error;
    }

    /** The first death recorded after {@code mark}, if any. */
    public static synchronized Optional<Death> firstSince(long mark) {
        long first = Math.max(mark + 1, sequence - KEPT + 1);
        if (first > sequence) {
            return Optional.empty();
        }
        int slot = (int) (first % KEPT);
        return Optional.of(new Death(first, threads[slot], errors[slot]));
    }

    /**
     * One line naming {@code error} as the cause: out of memory with the heap's size and how to raise it, any
     * other error as the internal error it is.
     */
    public static String describe(String thread, Throwable error) {
        String message = error.getMessage() == null || error.getMessage().isBlank() ? ""
                : ": " + error.getMessage().strip().replaceAll("\\s*\\R\\s*", " ");
        return switch (error) {
            case OutOfMemoryError oom -> "out of memory in " + thread + message + " (the Java heap holds at most "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MiB: raise it, e.g. SONIC_JAVA_OPTS=-Xmx"
                    + suggestedHeapGiB() + "g, or migrate a smaller guest)";
            case StackOverflowError so -> "internal error in " + thread + ": stack overflow (a bug; --debug shows where)";
            default -> "internal error in " + thread + ": " + error.getClass().getName() + message
                    + " (a bug; --debug shows where)";
        };
    }

    /** Twice the current maximum heap, in whole GiB, at least 2. */
    private static long suggestedHeapGiB() {
        return Math.max(2, (2 * Runtime.getRuntime().maxMemory() + (1L << 30) - 1) >> 30);
    }
}
