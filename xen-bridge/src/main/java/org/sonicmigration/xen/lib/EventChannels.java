package org.sonicmigration.xen.lib;

import java.time.Duration;
import java.util.OptionalInt;

import org.sonicmigration.ffi.support.XenLibrary;
import org.sonicmigration.ffi.xenevtchn_h;

/**
 * An open {@code xenevtchn} handle: binds to a guest's event-channel port, notifies it, and receives
 * its notifications ({@link #awaitEvent}: poll {@link #fd()}, then {@link #pending()} and {@link #unmask}).
 */
public final class EventChannels implements AutoCloseable {
    private static final NativeCall OPEN = call("xenevtchn_open", xenevtchn_h.xenevtchn_open$address(), xenevtchn_h.xenevtchn_open$descriptor());
    private static final NativeCall BIND = call("xenevtchn_bind_interdomain", xenevtchn_h.xenevtchn_bind_interdomain$address(), xenevtchn_h.xenevtchn_bind_interdomain$descriptor());
    private static final NativeCall NOTIFY = call("xenevtchn_notify", xenevtchn_h.xenevtchn_notify$address(), xenevtchn_h.xenevtchn_notify$descriptor());
    private static final NativeCall PENDING = call("xenevtchn_pending", xenevtchn_h.xenevtchn_pending$address(), xenevtchn_h.xenevtchn_pending$descriptor());
    private static final NativeCall UNMASK = call("xenevtchn_unmask", xenevtchn_h.xenevtchn_unmask$address(), xenevtchn_h.xenevtchn_unmask$descriptor());
    private static final NativeCall UNBIND = call("xenevtchn_unbind", xenevtchn_h.xenevtchn_unbind$address(), xenevtchn_h.xenevtchn_unbind$descriptor());

    private final java.lang.foreign.MemorySegment xce;
    private boolean closed;

    private EventChannels(java.lang.foreign.MemorySegment xce) {
        this.xce = xce;
    }

    private static NativeCall call(String name, java.lang.foreign.MemorySegment a, java.lang.foreign.FunctionDescriptor d) {
        return NativeCall.of(name, a, d);
    }

    /** @throws XenUnavailableException if {@code /dev/xen/evtchn} is missing or not accessible */
    public static EventChannels open(ToolLogger logger) {
        Libraries.require(XenLibrary.TOOLLOG, XenLibrary.EVTCHN);
        NativeCall.Outcome o = logger.demoted(() -> OPEN.invoke(logger.segment(), 0));
        if (o.isNull()) {
            throw Unavailability.of(OPEN.name(), o.errno(), "/dev/xen/evtchn");
        }
        return new EventChannels(o.asPointer());
    }

    /** Binds a local port to {@code remotePort} of {@code domid}; returns the local port. */
    public int bindInterdomain(int domid, int remotePort) {
        return BIND.intOrThrow("domain " + domid + ", port " + remotePort, xce, domid, remotePort);
    }

    public void notify(int localPort) {
        NOTIFY.intOrThrow("port " + localPort, xce, localPort);
    }

    /** The next port with a pending event (call after {@link #fd()} became readable). */
    public int pending() {
        return PENDING.intOrThrow("", xce);
    }

    public void unmask(int localPort) {
        UNMASK.intOrThrow("port " + localPort, xce, localPort);
    }

    public void unbind(int localPort) {
        UNBIND.intOrThrow("port " + localPort, xce, localPort);
    }

    /**
     * Waits until an event arrives on a port bound through this handle, at most {@code timeout}; reads
     * which port it was and unmasks that port again (the kernel masks a port when it delivers an event).
     *
     * @return the local port that fired, or empty if none did in time
     */
    public OptionalInt awaitEvent(Duration timeout) throws InterruptedException {
        if (!FdWait.awaitReadable(fd(), timeout)) {
            return OptionalInt.empty();
        }
        int port = pending();
        unmask(port);
        return OptionalInt.of(port);
    }

    public int fd() {
        return xenevtchn_h.xenevtchn_fd(xce);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            xenevtchn_h.xenevtchn_close(xce);
        }
    }
}
