package org.sonicmigration.testsupport;

import java.lang.management.ManagementFactory;

/**
 * What one fuzz input may cost a parser: the bytes the current thread allocates and the CPU time it
 * spends, measured around the parse, so that a fuzz target can assert the parser's stated bounds
 * rather than only "no exception". CPU time, not wall time: a fuzzer run at the lowest priority on a
 * busy machine waits seconds for a core, and that wait is not the parser's (a 1 ms input once "took"
 * 11.7 s of wall time that way); a parser that loops still burns CPU and is caught.
 */
public final class FuzzBudget {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    /** Far above any honest parse of a fuzz-sized input even on a loaded machine, far below a hang. */
    public static final long MAX_NANOS = 5_000_000_000L;

    private final long startBytes = THREADS.getCurrentThreadAllocatedBytes();
    private final long startNanos = THREADS.getCurrentThreadCpuTime();

    private FuzzBudget() {}

    /** A parse to measure; it may throw the parser's checked exceptions. */
    @FunctionalInterface
    public interface Parse<T> {
        T run() throws Exception;
    }

    /**
     * Runs {@code parse} and fails if it allocated more than {@code boundBytes} or used more CPU time than
     * {@link #MAX_NANOS}. A first run over budget is repeated once before it counts: the first time a
     * code path runs, loading and initialising its classes allocates too, and that is not the parser's.
     */
    public static <T> T within(String what, long boundBytes, Parse<T> parse) throws Exception {
        FuzzBudget first = start();
        T result = parse.run();
        if (!first.over(boundBytes)) {
            return result;
        }
        FuzzBudget again = start();
        result = parse.run();
        again.check(what, boundBytes);
        return result;
    }

    private boolean over(long boundBytes) {
        return allocated() > boundBytes || THREADS.getCurrentThreadCpuTime() - startNanos > MAX_NANOS;
    }

    /** Starts measuring the current thread. */
    public static FuzzBudget start() {
        return new FuzzBudget();
    }

    /** Bytes the current thread allocated since {@link #start()}. */
    public long allocated() {
        return THREADS.getCurrentThreadAllocatedBytes() - startBytes;
    }

    /**
     * Fails if the parse allocated more than {@code boundBytes} or used more CPU time than {@link #MAX_NANOS}.
     *
     * @param what names the parser and its bound in the failure message
     */
    public void check(String what, long boundBytes) {
        long bytes = allocated();
        long nanos = THREADS.getCurrentThreadCpuTime() - startNanos;
        if (bytes > boundBytes) {
            throw new AssertionError(what + " allocated " + bytes + " bytes, above its bound of " + boundBytes);
        }
        if (nanos > MAX_NANOS) {
            throw new AssertionError(what + " took " + nanos / 1_000_000 + " ms of CPU on one input");
        }
    }
}
