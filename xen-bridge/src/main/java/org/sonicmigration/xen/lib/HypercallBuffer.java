package org.sonicmigration.xen.lib;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.sonicmigration.ffi.xc_hypercall_buffer;
import org.sonicmigration.ffi.xenctrl_h;

/**
 * Page-aligned memory the hypervisor may write into (the dirty bitmap of {@code xc_logdirty_control}),
 * with the {@code xc_hypercall_buffer_t} that libxc's {@code DECLARE_HYPERCALL_BUFFER} macro would
 * declare in C: built here by hand ({@code hbuf} NULL, no bounce: {@code dir} 0, {@code sz} 0,
 * {@code ubuf} (void*)-1) and filled by {@code xc__hypercall_buffer_alloc_pages}.
 */
public final class HypercallBuffer implements AutoCloseable {
    private static final NativeCall ALLOC = NativeCall.of("xc__hypercall_buffer_alloc_pages",
            xenctrl_h.xc__hypercall_buffer_alloc_pages$address(), xenctrl_h.xc__hypercall_buffer_alloc_pages$descriptor());

    private final XenCtrl xc;
    private final Arena arena;
    private final MemorySegment struct;
    private final MemorySegment data;
    private final int pages;
    private boolean closed;

    private HypercallBuffer(XenCtrl xc, Arena arena, MemorySegment struct, MemorySegment data, int pages) {
        this.xc = xc;
        this.arena = arena;
        this.struct = struct;
        this.data = data;
        this.pages = pages;
    }

    /** Allocates {@code pages} zeroed pages of hypercall-safe memory. */
    @SuppressWarnings("restricted")
    static HypercallBuffer allocate(XenCtrl xc, int pages) {
        if (pages <= 0) {
            throw new IllegalArgumentException("hypercall buffer needs at least one page, got " + pages);
        }
        Arena arena = Arena.ofShared();
        try {
            MemorySegment struct = xc_hypercall_buffer.allocate(arena);
            xc_hypercall_buffer.hbuf(struct, MemorySegment.NULL);
            xc_hypercall_buffer.param_shadow(struct, MemorySegment.NULL);
            xc_hypercall_buffer.dir(struct, 0);
            xc_hypercall_buffer.ubuf(struct, MemorySegment.ofAddress(-1L));
            xc_hypercall_buffer.sz(struct, 0L);
            MemorySegment p = ALLOC.pointerOrThrow(pages + " pages", xc.handle(), struct, pages);
            MemorySegment data = p.reinterpret((long) pages * xenctrl_h.XC_PAGE_SIZE());
            data.fill((byte) 0);
            return new HypercallBuffer(xc, arena, struct, data, pages);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** The {@code xc_hypercall_buffer_t *} to pass to libxc. */
    MemorySegment struct() {
        return struct;
    }

    /** The buffer's bytes ({@code pages * 4096}). */
    public MemorySegment data() {
        return data;
    }

    public int pages() {
        return pages;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            xenctrl_h.xc__hypercall_buffer_free_pages(xc.handle(), struct, pages);
            arena.close();
            xc.forget(this);
        }
    }
}
