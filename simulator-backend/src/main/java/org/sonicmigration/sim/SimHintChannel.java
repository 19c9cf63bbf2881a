package org.sonicmigration.sim;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import org.sonicmigration.sim.kernel.SimulatorException;
import org.sonicmigration.sim.module.HintModule;
import org.sonicmigration.spi.HintChannel;

/**
 * Dom0's end of a simulated guest's hint channel, as the Xen backend's would be after mapping the granted
 * area and binding the event channel: the area is the guest module's own pages, read-only; an event to the
 * guest is handled by the module at its next step in guest time (events coalesce, as Xen's do); events from
 * the guest are waited for in real time. One per source handle; closing it (or the handle) unbinds it, the
 * guest's module keeps running.
 */
public final class SimHintChannel implements HintChannel {
    private final String guestName;
    private final HintModule module;
    private volatile boolean closed;

    SimHintChannel(String guestName, HintModule module) {
        this.guestName = guestName;
        this.module = module;
    }

    @Override
    public MemorySegment area() {
        check();
        return module.area();
    }

    @Override
    public void notifyGuest() {
        check();
        module.notifyFromDom0();
    }

    /**
     * Waits in real time for the guest module's next event (a handshake state change). On a virtual clock
     * nothing moves the guest while this waits unless another thread advances it; poll the area between
     * clock steps there instead.
     */
    @Override
    public boolean awaitGuestEvent(Duration timeout) throws InterruptedException {
        check();
        return module.awaitGuestEvent(timeout);
    }

    /** Carries dom0's keep-cache wish to the module, as the Xen backend writes {@code data/sonic/keep-cache}. */
    @Override
    public boolean keepCache(boolean keep) {
        check();
        module.keepCache(keep);
        return true;
    }

    /** SPEC.md §4.4: whether the module advertises on-demand publication (an ABI 1.1 module's default). */
    @Override
    public boolean publishesOnDemand() {
        check();
        return module.spec().publishesOnDemand();
    }

    /** Carries dom0's lease to the module, as the Xen backend writes {@code data/sonic/live-request}. */
    @Override
    public boolean requestLiveHints(Duration lease) {
        check();
        module.requestLive(lease);
        return true;
    }

    @Override
    public void close() {
        closed = true;
    }

    public boolean isClosed() {
        return closed;
    }

    private void check() {
        if (closed) {
            throw new SimulatorException("the hint channel of guest " + guestName + " is closed");
        }
    }
}
