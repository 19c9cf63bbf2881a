package org.sonicmigration.sim.guest;

import org.sonicmigration.sim.workload.Workload;
import org.sonicmigration.sim.workload.WorkloadSpec;

/**
 * A program started in a {@link SimGuest}: whether its finite part is done, how much it did, whether it is
 * stalled for memory, and a way to end it (which frees its process memory, like an exit).
 */
public final class WorkloadHandle {
    private final SimGuest guest;
    private final Workload workload;

    WorkloadHandle(SimGuest guest, Workload workload) {
        this.guest = guest;
        this.workload = workload;
    }

    Workload workload() {
        return workload;
    }

    public WorkloadSpec spec() {
        return workload.spec();
    }

    /** The finite part is done: files read, memory allocated, hot set touched, churn pool populated. */
    public boolean isReady() {
        return guest.underLock(workload::ready);
    }

    public boolean isStopped() {
        return guest.underLock(workload::stopped);
    }

    /** Pages read, allocated or written so far. */
    public long pagesTouched() {
        return guest.underLock(workload::pagesTouched);
    }

    /** Steps in which the program waited for memory that could not be found. */
    public long stalls() {
        return guest.underLock(workload::stalls);
    }

    /** Pages of the hot set this program keeps cached that are not in the page cache now (0 if it keeps none). */
    public long coldPages() {
        return guest.underLock(workload::coldPages);
    }

    /** Ends the program; anonymous memory it holds is freed. */
    public void stop() {
        guest.stopWorkload(workload);
    }

    @Override
    public String toString() {
        return "Workload[" + workload.spec() + "]";
    }
}
