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
 * An open {@code xengnttab} handle: maps pages a guest granted to dom0 (how a guest would share its
 * soft-page hint area). Each mapping is unmapped when closed.
 */
public final class GrantTables implements AutoCloseable {
    /** Grant references per mapping; the hint area is a handful of pages. */
    public static final int MAX_REFS = 1024;

    private static final NativeCall OPEN = call("xengnttab_open", xengnttab_h.xengnttab_open$address(), xengnttab_h.xengnttab_open$descriptor());
    private static final NativeCall MAP = call("xengnttab_map_domain_grant_refs", xengnttab_h.xengnttab_map_domain_grant_refs$address(), xengnttab_h.xengnttab_map_domain_grant_refs$descriptor());
    private static final NativeCall UNMAP = call("xengnttab_unmap", xengnttab_h.xengnttab_unmap$address(), xengnttab_h.xengnttab_unmap$descriptor());

    /** Granted pages mapped into this process; {@link #close()} unmaps them. */
    public final class Mapping implements AutoCloseable {
        private final MemorySegment pages;
        private final int count;
        private boolean unmapped;

        private Mapping(MemorySegment pages, int count) {
            this.pages = pages;
            this.count = count;
        }

        /** The mapped pages ({@code count * 4096} bytes); the guest may change them at any time. */
        public MemorySegment pages() {
            return pages;
        }

        @Override
        public synchronized void close() {
            if (!unmapped) {
                unmapped = true;
                UNMAP.intOrThrow(count + " pages", xgt, pages, count);
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

    /** Maps the pages {@code domid} granted with {@code refs}, read-only unless {@code writable}. */
    @SuppressWarnings("restricted")
    public Mapping map(int domid, int[] refs, boolean writable) {
        if (refs.length == 0 || refs.length > MAX_REFS) {
            throw new IllegalArgumentException("grant reference count " + refs.length + " outside 1.." + MAX_REFS);
        }
        int prot = libc_h.PROT_READ() | (writable ? libc_h.PROT_WRITE() : 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment r = arena.allocateFrom(ValueLayout.JAVA_INT, refs);
            MemorySegment p = MAP.pointerOrThrow("domain " + domid + ", " + refs.length + " refs", xgt, refs.length, domid, r, prot);
            return new Mapping(p.reinterpret(refs.length * xenctrl_h.XC_PAGE_SIZE()), refs.length);
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            xengnttab_h.xengnttab_close(xgt);
        }
    }
}
