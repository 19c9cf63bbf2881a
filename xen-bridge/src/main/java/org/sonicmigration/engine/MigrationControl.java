package org.sonicmigration.engine;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The stop button of one migration: another thread (a signal handler, a user interface) asks the engine
 * to stop with {@link #requestAbort}; the engine looks at the request between batches of pages, between
 * passes and steps, and last just before the destination is told to start the guest. A request it sees
 * makes it roll back as after any failure (log-dirty off, the guest running again, or paused if it was
 * paused, the destination's stream closed before "go", which a receiver takes as a failed migration).
 * From the moment the destination may start the guest a request is too late and the migration
 * completes: stopping then could leave two copies or none. One control serves one migration.
 */
public final class MigrationControl {

    /** What a request to stop achieved. */
    public enum Answer {
        /** The engine has not started: nothing was touched, the caller may stop at once. */
        NOT_STARTED,
        /** The engine stops at its next check and rolls back; the caller waits for its report. */
        WILL_STOP,
        /** Too late: the destination may already run the guest (or the migration ended); it completes. */
        TOO_LATE
    }

    private enum Stage { IDLE, RUNNING, COMMITTED, FINISHED }

    private final Object lock = new Object();
    private final AtomicReference<String> reason = new AtomicReference<>();
    private Stage stage = Stage.IDLE;

    /**
     * Asks the migration to stop; {@code why} names the reason in the report (e.g. {@code SIGINT}).
     * Safe to call from any thread, any number of times; the first reason is kept.
     */
    public Answer requestAbort(String why) {
        synchronized (lock) {
            return switch (stage) {
                case IDLE -> {
                    reason.compareAndSet(null, why);
                    yield Answer.NOT_STARTED;
                }
                case RUNNING -> {
                    reason.compareAndSet(null, why);
                    yield Answer.WILL_STOP;
                }
                case COMMITTED, FINISHED -> Answer.TOO_LATE;
            };
        }
    }

    /** The reason of a request the engine acts (or acted) on; empty if none came in time. */
    public Optional<String> abortReason() {
        return Optional.ofNullable(reason.get());
    }

    /** The engine starts; a request made before it throws here, before anything is touched. */
    void begin() {
        synchronized (lock) {
            if (stage != Stage.IDLE) {
                throw new IllegalStateException("a migration control serves one migration");
            }
            stage = Stage.RUNNING;
        }
        check("before it started");
    }

    /** Throws if a stop was requested; {@code where} says what the engine was doing, for the report. */
    void check(String where) {
        String why = reason.get();
        if (why != null) {
            throw new MigrationAbortedException(why, where);
        }
    }

    /**
     * The point of no return: a request made before it stops the migration here; one made after it is
     * {@link Answer#TOO_LATE}. Atomic with respect to {@link #requestAbort}.
     */
    void commit(String where) {
        synchronized (lock) {
            check(where);
            stage = Stage.COMMITTED;
        }
    }

    void finish() {
        synchronized (lock) {
            stage = Stage.FINISHED;
        }
    }
}
