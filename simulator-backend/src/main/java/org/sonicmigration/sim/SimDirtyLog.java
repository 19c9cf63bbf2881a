package org.sonicmigration.sim;

import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.sim.kernel.DirtyTracker;
import org.sonicmigration.sim.kernel.SimulatorException;
import org.sonicmigration.spi.DirtyLog;
import org.sonicmigration.spi.PageBitmap;

/** Log-dirty mode of a simulated guest, as the SPI exposes it; closing turns logging off. */
final class SimDirtyLog implements DirtyLog {
    private final SimGuest guest;
    private final DirtyTracker tracker;
    private volatile boolean closed;

    SimDirtyLog(SimGuest guest) {
        this.guest = guest;
        this.tracker = guest.dirtyTracker();
        tracker.enable();
    }

    @Override
    public void fetchAndClean(PageBitmap into) {
        check();
        tracker.fetchAndClean(into);
    }

    @Override
    public void peek(PageBitmap into) {
        check();
        tracker.peek(into);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            tracker.disable();
        }
    }

    boolean isClosed() {
        return closed;
    }

    private void check() {
        if (closed) {
            throw new SimulatorException("dirty log of guest " + guest.name() + " is closed");
        }
    }
}
