package org.sonicmigration.xen.backend;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sonicmigration.guest.HintAreaLayout;
import org.sonicmigration.spi.BackendException;
import org.sonicmigration.spi.HintUnavailableException;

/**
 * Dom0's end of a guest's hint channel on Xen (SPEC §7.2): the directory pages mapped read-only just long
 * enough to copy the area's grant references out, the area mapped read-only as one contiguous range, and
 * the guest's event-channel port bound. It works over {@link Grants} and {@link Events} so that it can be
 * tested without Xen. Closing unmaps the area before anything else (a mapping dom0 keeps holds a
 * destroyed guest as a zombie) and is idempotent; it may come from another thread (the hypervisor connection
 * closing), so the event handle is only used under a lock and waits go in slices of at most
 * {@link #EVENT_SLICE}: a close waits for the current slice, never frees a handle a wait is using, and the
 * area's segment fails in Java once unmapped. Event failures after opening degrade to waiting out the
 * timeout: the engine re-reads the area at least every 50 ms anyway, and a guest that never hears the
 * request only costs its own final soft set.
 */
final class XenHintChannel implements HintSlot.Owned {
    private static final Logger LOG = LoggerFactory.getLogger(XenHintChannel.class);
    private static final ValueLayout.OfInt REF = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Grant references per request that every gntdev accepts; above it a kernel's {@code limit} decides. */
    static final int OLD_GNTDEV_LIMIT = 1024;
    /** Longest wait on the event handle in one go: how long a close from another thread may have to wait. */
    static final Duration EVENT_SLICE = Duration.ofMillis(100);
    /** SPEC §4.4: the guest's key saying how it publishes, and the value of an on-demand guest. */
    static final String PUBLISH = "publish";
    static final String ON_DEMAND = "on-demand";
    /** SPEC §4.4: dom0's lease on the live hint, in ms. */
    static final String LIVE_REQUEST = "live-request";

    /** Maps pages another domain granted, read-only (libxengnttab). */
    interface Grants extends AutoCloseable {
        /** The pages behind {@code refs}, contiguous, in order. */
        Pages mapReadOnly(int domid, int[] refs);

        @Override
        void close();
    }

    /** A mapping of granted pages; closing unmaps them. */
    interface Pages extends AutoCloseable {
        MemorySegment segment();

        @Override
        void close();
    }

    /** Event channels to other domains (libxenevtchn). */
    interface Events extends AutoCloseable {
        /** Binds to {@code remotePort} of {@code domid}; returns the local port. */
        int bind(int domid, int remotePort);

        void notify(int localPort);

        /** Waits for an event on any bound port, at most {@code timeout}; returns that port, unmasked again. */
        OptionalInt await(Duration timeout) throws InterruptedException;

        void unbind(int localPort);

        @Override
        void close();
    }

    private final int domid;
    private final Grants grants;
    private final Events events;
    private final Pages areaPages;
    private final MemorySegment area;
    private final int localPort;
    /** What the guest advertised when this channel mapped its area: a new advertisement is a new area. */
    private final HintAdvertisement advertised;
    private final HintStore store;
    private final String directory;
    private final LongSupplier nanoTime;
    private volatile boolean closed;
    private volatile boolean eventsBroken;
    /** Held while the event handle is in use, so that close never releases it under a wait or a notify. */
    private final Object eventLock = new Object();

    private XenHintChannel(int domid, Grants grants, Events events, Pages areaPages, int localPort,
                           HintAdvertisement advertised, HintStore store, String directory, LongSupplier nanoTime) {
        this.domid = domid;
        this.advertised = advertised;
        this.grants = grants;
        this.events = events;
        this.areaPages = areaPages;
        this.area = areaPages.segment().asReadOnly();
        this.localPort = localPort;
        this.store = store;
        this.directory = directory;
        this.nanoTime = nanoTime;
    }

    /**
     * Maps and binds what {@code ad} advertises. Takes ownership of {@code grants} and {@code events}:
     * they are closed when the channel is, or at once if opening fails.
     *
     * @param directory the guest's {@code data/sonic} path, for {@link #keepCache}
     * @throws HintUnavailableException a mapping or the binding failed (the message says which and why);
     *                                  whatever was mapped or bound is released again
     */
    static XenHintChannel open(int domid, HintAdvertisement ad, Grants grants, Events events, HintStore store,
                               String directory, LongSupplier nanoTime) {
        Pages area = null;
        try {
            int[] refs = areaRefs(domid, ad, grants);
            try {
                area = grants.mapReadOnly(domid, refs);
            } catch (BackendException e) {
                throw new HintUnavailableException("mapping the guest's " + ad.areaPages() + "-page hint area failed: "
                        + e.getMessage() + (ad.areaPages() > OLD_GNTDEV_LIMIT ? "; Linux's gntdev maps at most its "
                        + "'limit' of grants per request (/sys/module/xen_gntdev/parameters/limit)" : ""), e);
            }
            long expected = (long) ad.areaPages() * HintAreaLayout.PAGE_SIZE;
            if (area.segment().byteSize() != expected) {
                throw new HintUnavailableException("the hint area mapping has " + area.segment().byteSize()
                        + " bytes, not " + expected);
            }
            int port;
            try {
                port = events.bind(domid, ad.eventChannel());
            } catch (BackendException e) {
                throw new HintUnavailableException("binding the guest's event channel (port " + ad.eventChannel()
                        + ") failed: " + e.getMessage(), e);
            }
            return new XenHintChannel(domid, grants, events, area, port, ad, store, directory, nanoTime);
        } catch (RuntimeException e) {
            release("unmap the hint area of domain " + domid, area);
            release("close the event-channel handle", events);
            release("close the grant-table handle", grants);
            throw e;
        }
    }

    /** SPEC §7.2: map the directory pages, copy the area's references out, unmap them at once. */
    private static int[] areaRefs(int domid, HintAdvertisement ad, Grants grants) {
        int[] dirRefs = ad.dirRefs();
        Pages dir;
        try {
            dir = grants.mapReadOnly(domid, dirRefs);
        } catch (BackendException e) {
            throw new HintUnavailableException("mapping the guest's " + dirRefs.length + " hint directory page"
                    + (dirRefs.length == 1 ? "" : "s") + " failed: " + e.getMessage(), e);
        }
        try {
            MemorySegment s = dir.segment();
            long needed = (long) ad.areaPages() * Integer.BYTES;
            if (s.byteSize() < (long) dirRefs.length * HintAreaLayout.PAGE_SIZE || s.byteSize() < needed) {
                throw new HintUnavailableException("the hint directory mapping has " + s.byteSize() + " bytes, less than "
                        + dirRefs.length + " pages");
            }
            int[] refs = new int[ad.areaPages()];
            for (int i = 0; i < refs.length; i++) {
                refs[i] = s.get(REF, (long) i * Integer.BYTES);
            }
            return refs;
        } finally {
            dir.close();
        }
    }

    @Override
    public MemorySegment area() {
        check();
        return area;
    }

    /** The local port bound to the guest's. */
    int localPort() {
        return localPort;
    }

    @Override
    public void notifyGuest() {
        check();
        if (eventsBroken) {
            return;
        }
        synchronized (eventLock) {
            check();
            try {
                events.notify(localPort);
            } catch (BackendException e) {
                eventsBroken("notifying the guest", e);
            }
        }
    }

    /**
     * Waits for an event on this channel's port; events on no other port count. After an event failure
     * this only waits out the timeout (the caller re-reads the area then).
     */
    @Override
    public boolean awaitGuestEvent(Duration timeout) throws InterruptedException {
        check();
        long deadline = nanoTime.getAsLong() + timeout.toNanos();
        while (true) {
            long left = deadline - nanoTime.getAsLong();
            if (eventsBroken) {
                if (left > 0) {
                    Thread.sleep(Duration.ofNanos(left));
                }
                return false;
            }
            synchronized (eventLock) {
                check();
                try {
                    OptionalInt port = events.await(Duration.ofNanos(Math.clamp(left, 0, EVENT_SLICE.toNanos())));
                    if (port.isPresent() && port.getAsInt() == localPort) {
                        return true;
                    }
                } catch (BackendException e) {
                    eventsBroken("waiting for the guest", e);
                    continue;
                }
            }
            if (nanoTime.getAsLong() - deadline >= 0) {
                return false;
            }
        }
    }

    /** Writes {@code data/sonic/keep-cache} (SPEC §7.1), before the migration's handshake. */
    @Override
    public boolean keepCache(boolean keep) {
        check();
        try {
            store.write(directory + "/keep-cache", keep ? "1" : "0");
            return true;
        } catch (BackendException e) {
            LOG.warn("could not write {}/keep-cache for domain {}: {}", directory, domid, e.getMessage());
            return false;
        }
    }

    /** SPEC §4.4: the guest's {@code publish} node, written in its advertising transaction; missing = periodic (1.0). */
    @Override
    public boolean publishesOnDemand() {
        check();
        try {
            return store.read(directory + "/" + PUBLISH).map(ON_DEMAND::equals).orElse(false);
        } catch (BackendException e) {
            LOG.warn("could not read {}/{} of domain {}: {}", directory, PUBLISH, domid, e.getMessage());
            return false;
        }
    }

    /** Writes {@code data/sonic/live-request} = the lease in ms (SPEC §4.4); 0 ends it. */
    @Override
    public boolean requestLiveHints(Duration lease) {
        check();
        try {
            store.write(directory + "/" + LIVE_REQUEST, Long.toString(lease.toMillis()));
            return true;
        } catch (BackendException e) {
            LOG.warn("could not write {}/{} for domain {}: {}", directory, LIVE_REQUEST, domid, e.getMessage());
            return false;
        }
    }

    /**
     * The guest's {@code state} node: anything but {@code ready} (its module unloaded and wrote
     * {@code closing}, or took the directory away) withdraws the channel. So does a {@code ready}
     * advertisement other than the one this channel mapped: a guest that rebuilt its area (memory
     * hot-plug, SPEC §7.3) advertises new directory references and a new port, taken while the old ones
     * were still held, and the area mapped here no longer changes. A read that fails, or an advertisement
     * that cannot be read consistently right now, says nothing: the wait then runs to its timeout, as it
     * would without this check.
     */
    @Override
    public Optional<String> withdrawn() {
        Optional<String> state;
        try {
            state = store.read(directory + "/state");
        } catch (BackendException e) {
            return Optional.empty();
        }
        if (state.isEmpty()) {
            return Optional.of("its " + directory + " is gone");
        }
        if (!state.get().equals(HintAdvertisement.READY)) {
            return Optional.of(directory + "/state = " + HintAdvertisement.quote(state.get()));
        }
        Optional<HintAdvertisement> now;
        try {
            now = HintAdvertisementReader.read(store, directory);
        } catch (HintUnavailableException e) {
            return Optional.empty();
        }
        return now.isEmpty() || now.get().equals(advertised) ? Optional.empty()
                : Optional.of("the guest advertised a new hint area (" + now.get() + "; this channel mapped "
                        + advertised + ")");
    }

    /** Unmaps the area first, then unbinds the port and closes both handles; later calls do nothing. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        release("unmap the hint area of domain " + domid, areaPages);
        synchronized (eventLock) {
            try {
                events.unbind(localPort);
            } catch (RuntimeException e) {
                LOG.warn("could not unbind event-channel port {} of domain {}: {}", localPort, domid, e.getMessage());
            }
            release("close the event-channel handle", events);
        }
        release("close the grant-table handle", grants);
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    private void eventsBroken(String what, BackendException e) {
        if (!eventsBroken) {
            eventsBroken = true;
            LOG.warn("event channel of domain {} failed while {} ({}): the handshake now relies on re-reading the "
                    + "area", domid, what, e.getMessage());
        }
    }

    private void check() {
        if (closed) {
            throw new BackendException("the hint channel of domain " + domid + " is closed");
        }
    }

    private static void release(String what, AutoCloseable resource) {
        if (resource == null) {
            return;
        }
        try {
            resource.close();
        } catch (Exception e) {
            LOG.warn("could not {}: {}", what, e.getMessage());
        }
    }
}
