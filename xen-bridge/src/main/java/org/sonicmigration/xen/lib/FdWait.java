package org.sonicmigration.xen.lib;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.function.LongSupplier;

import org.sonicmigration.ffi.libc_h;
import org.sonicmigration.ffi.pollfd;

/**
 * Waits with {@code poll(2)} until a file descriptor is readable or a timeout has passed: how a Xen
 * device's descriptor (an event channel's, xenstore's) is waited on with a deadline. A signal that
 * interrupts poll ({@code EINTR}) resumes the wait with the time left, not the whole timeout again.
 * The wait goes in slices of at most {@link #SLICE} so that a Java interrupt, which cannot reach a
 * thread blocked in C, is noticed soon.
 */
public final class FdWait {
    /** Longest single poll: how late an interrupt may be noticed. */
    static final Duration SLICE = Duration.ofMillis(100);

    /** One {@code poll(2)} of one descriptor for POLLIN: its return value, {@code revents} and errno. */
    interface Poll {
        Result poll(int fd, int timeoutMillis);
    }

    /** What one poll returned. */
    record Result(int returned, int revents, int errno) {}

    private static final NativeCall POLL = NativeCall.of("poll", libc_h.poll$address(), libc_h.poll$descriptor());

    /** poll(2) itself. */
    static final Poll NATIVE = (fd, timeoutMillis) -> {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = pollfd.allocate(arena);
            pollfd.fd(p, fd);
            pollfd.events(p, (short) libc_h.POLLIN());
            NativeCall.Outcome o = POLL.invoke(p, 1L, timeoutMillis);
            return new Result(o.asInt(), pollfd.revents(p) & 0xffff, o.errno());
        }
    };

    private FdWait() {}

    /**
     * @return true as soon as {@code fd} is readable, false once {@code timeout} passed without that
     * @throws XenCallException     poll failed, or reported the descriptor invalid, in error or hung up
     * @throws InterruptedException the thread was interrupted while waiting
     */
    public static boolean awaitReadable(int fd, Duration timeout) throws InterruptedException {
        return awaitReadable(fd, timeout, NATIVE, System::nanoTime);
    }

    static boolean awaitReadable(int fd, Duration timeout, Poll poll, LongSupplier nanoTime) throws InterruptedException {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("negative timeout " + timeout);
        }
        long deadline = nanoTime.getAsLong() + saturatedNanos(timeout);
        while (true) {
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while waiting on descriptor " + fd);
            }
            long left = Math.max(0, deadline - nanoTime.getAsLong());
            // round up: a wait shorter than a millisecond must not become a busy loop of zero-time polls
            int millis = (int) ((Math.min(left, SLICE.toNanos()) + 999_999) / 1_000_000);
            Result r = poll.poll(fd, millis);
            if (r.returned() < 0) {
                if (r.errno() != libc_h.EINTR()) {
                    throw new XenCallException("poll", "descriptor " + fd, r.returned(), r.errno());
                }
            } else if (r.returned() > 0) {
                if ((r.revents() & libc_h.POLLNVAL()) != 0) {
                    throw new XenCallException("poll", "descriptor " + fd, r.returned(), 0, "no error",
                            "POLLNVAL: the descriptor is not open");
                }
                if ((r.revents() & libc_h.POLLIN()) != 0) {
                    return true;
                }
                if ((r.revents() & (libc_h.POLLERR() | libc_h.POLLHUP())) != 0) {
                    throw new XenCallException("poll", "descriptor " + fd, r.returned(), 0, "no error",
                            "revents 0x" + Integer.toHexString(r.revents()) + ": the descriptor is in error or hung up");
                }
            }
            if (nanoTime.getAsLong() - deadline >= 0) {
                return false;
            }
        }
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 2;
        }
    }
}
