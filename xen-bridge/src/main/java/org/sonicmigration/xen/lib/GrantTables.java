package org.sonicmigration.xen.lib;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.sonicmigration.ffi.libc_h;
import org.sonicmigration.ffi.support.XenLibrary;
import org.sonicmigration.ffi.xenctrl_h;
import org.sonicmigration.ffi.xengnttab_h;

/**
 * An open {@code xengnttab} handle: maps pages a guest granted to dom0 (how a guest shares its
 * soft-page hint area and the directory of its grant references). Each mapping is unmapped when
 * closed; its segment is tied to an arena that is closed first, so that a read after the unmap fails
 * in Java instead of faulting on an address that is no longer mapped.
 */
public final class GrantTables implements AutoCloseable {
    /**
     * Grant references per mapping: Linux's gntdev maps at most its {@code limit} parameter per request
     * (65536 by default in 6.1; older kernels had 1024), and a hint area may have 16384 pages.
     */
    public static final int MAX_REFS = 65536;

    private static final NativeCall OPEN = call("xengnttab_open", xengnttab_h.xengnttab_open$address(), xengnttab_h.xengnttab_open$descriptor());
    private static final NativeCall MAP = call("xengnttab_map_domain_grant_refs", xengnttab_h.xengnttab_map_domain_grant_refs$address(), xengnttab_h.xengnttab_map_domain_grant_refs$descriptor());
    private static final NativeCall UNMAP = call("xengnttab_unmap", xengnttab_h.xengnttab_unmap$address(), xengnttab_h.xengnttab_unmap$descriptor());

    /** Granted pages mapped into this process; {@link #close()} unmaps them. */
    public final class Mapping implements AutoCloseable {
        private final Arena scope;
        private final MemorySegment address;
        private final MemorySegment pages;
        private final int count;
        private boolean unmapped;

        @SuppressWarnings("restricted")
        private Mapping(MemorySegment address, int count, boolean writable) {
            this.scope = Arena.ofShared();
            this.address = address;
            this.count = count;
            MemorySegment all = address.reinterpret((long) count * xenctrl_h.XC_PAGE_SIZE(), scope, null);
            this.pages = writable ? all : all.asReadOnly();
        }

        /**
         * The mapped pages ({@code count * 4096} bytes); the guest may change them at any time. Read-only
         * unless mapped writable: a write to a read-only mapping would kill the process, so this segment
         * refuses writes in Java then.
         */
        public MemorySegment pages() {
            return pages;
        }

        public int count() {
            return count;
        }

        @Override
        public synchronized void close() {
            if (!unmapped) {
                unmapped = true;
                try {
                    scope.close();
                } finally {
                    UNMAP.intOrThrow(count + " pages", xgt, address, count);
                }
            }
        }
    }

    private final MemorySegment xgt;
    private boolean closed;

    private GrantTables(MemorySegment xgt) {
        this.xgt = xgt;
    }

    private static NativeCall call(String name, MemorySegment a, FunctionDescriptor d) {
        return NativeCall.of(name, a, d);
    }

    /** @throws XenUnavailableException if {@code /dev/xen/gntdev} is missing or not accessible */
    public static GrantTables open(ToolLogger logger) {
        Libraries.require(XenLibrary.TOOLLOG, XenLibrary.GNTTAB);
        NativeCall.Outcome o = logger.demoted(() -> OPEN.invoke(logger.segment(), 0));
        if (o.isNull()) {
            throw Unavailability.of(OPEN.name(), o.errno(), "/dev/xen/gntdev");
        }
        return new GrantTables(o.asPointer());
    }

    /**
     * Maps the pages {@code domid} granted with {@code refs} (unsigned 32-bit grant references) as one
     * contiguous range, read-only unless {@code writable}.
     *
     * @throws IllegalArgumentException more than {@link #MAX_REFS} or no references
     * @throws XenCallException         the kernel refused (a reference not granted to us, a read-only
     *                                  grant mapped writable, more references than gntdev's {@code limit})
     */
    public Mapping map(int domid, int[] refs, boolean writable) {
        if (refs.length == 0 || refs.length > MAX_REFS) {
            throw new IllegalArgumentException("grant reference count " + refs.length + " outside 1.." + MAX_REFS);
        }
        int prot = libc_h.PROT_READ() | (writable ? libc_h.PROT_WRITE() : 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment r = arena.allocateFrom(ValueLayout.JAVA_INT, refs);
            MemorySegment p = MAP.pointerOrThrow("domain " + domid + ", " + refs.length + " refs", handle(), refs.length, domid, r, prot);
            return new Mapping(p, refs.length, writable);
        }
    }

    private synchronized MemorySegment handle() {
        if (closed) {
            throw new IllegalStateException("xengnttab handle already closed");
        }
        return xgt;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            xengnttab_h.xengnttab_close(xgt);
        }
    }
}
