package org.sonicmigration.xen;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.sonicmigration.ffi.libxl_dominfo;
import org.sonicmigration.ffi.libxl_h;
import org.sonicmigration.ffi.support.XenLibrary;

/**
 * A libxenlight context ({@code libxl_ctx}), the toolstack's view of domains. Only what this project
 * calls through it is wrapped here; the rest of the bound libxl functions (suspend to a file
 * descriptor, create-restore) are used directly from {@code org.sonicmigration.ffi.libxl_h}.
 */
public final class LibXl implements AutoCloseable {
    private static final NativeCall ALLOC = NativeCall.of("libxl_ctx_alloc", libxl_h.libxl_ctx_alloc$address(), libxl_h.libxl_ctx_alloc$descriptor());
    private static final NativeCall INFO = NativeCall.of("libxl_domain_info", libxl_h.libxl_domain_info$address(), libxl_h.libxl_domain_info$descriptor());
    private static final NativeCall RESUME = NativeCall.of("libxl_domain_resume", libxl_h.libxl_domain_resume$address(), libxl_h.libxl_domain_resume$descriptor());

    /** libxl's summary of a domain (a subset of {@code libxl_dominfo}). */
    public record Info(int domid, boolean running, boolean paused, boolean shutdown, boolean dying, int shutdownReason,
                       long currentMemKb, long maxMemKb, int vcpuOnline, int domainType) {}

    private final MemorySegment ctx;
    private boolean closed;

    private LibXl(MemorySegment ctx) {
        this.ctx = ctx;
    }

    /**
     * Allocates a context that logs through {@code logger} (which must outlive it).
     *
     * @throws XenUnavailableException if libxl cannot reach the hypervisor ({@code /dev/xen/privcmd})
     */
    public static LibXl open(ToolLogger logger) {
        Libraries.require(XenLibrary.TOOLLOG, XenLibrary.LIGHT);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pctx = arena.allocate(ValueLayout.ADDRESS);
            NativeCall.Outcome o = logger.demoted(() -> ALLOC.invoke(pctx, libxl_h.LIBXL_VERSION(), 0, logger.segment()));
            MemorySegment ctx = pctx.get(ValueLayout.ADDRESS, 0);
            if (o.asInt() != 0 || ctx.equals(MemorySegment.NULL)) {
                if (o.errno() == org.sonicmigration.ffi.libc_h.ENOENT() || o.errno() == org.sonicmigration.ffi.libc_h.EACCES()) {
                    throw Unavailability.of(ALLOC.name(), o.errno(), "/dev/xen/privcmd");
                }
                throw new XenCallException(ALLOC.name(), "", o.asInt(), o.errno());
            }
            return new LibXl(ctx);
        }
    }

    public Info domainInfo(int domid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = libxl_dominfo.allocate(arena);
            libxl_h.libxl_dominfo_init(info);
            try {
                NativeCall.Outcome o = INFO.invoke(handle(), info, domid);
                if (o.asInt() != 0) {
                    throw new XenCallException(INFO.name(), "domain " + domid, o.asInt(), o.errno());
                }
                return new Info(libxl_dominfo.domid(info), libxl_dominfo.running(info), libxl_dominfo.paused(info),
                        libxl_dominfo.shutdown(info), libxl_dominfo.dying(info), libxl_dominfo.shutdown_reason(info),
                        libxl_dominfo.current_memkb(info), libxl_dominfo.max_memkb(info), libxl_dominfo.vcpu_online(info),
                        libxl_dominfo.domain_type(info));
            } finally {
                libxl_h.libxl_dominfo_dispose(info);
            }
        }
    }

    /** {@code libxl_domain_resume}, synchronously; {@code cooperative} as in {@link XenCtrl#resume}. */
    public void resume(int domid, boolean cooperative) {
        NativeCall.Outcome o = RESUME.invoke(handle(), domid, cooperative ? 1 : 0, MemorySegment.NULL);
        if (o.asInt() != 0) {
            throw new XenCallException(RESUME.name(), "domain " + domid, o.asInt(), o.errno());
        }
    }

    private MemorySegment handle() {
        if (closed) {
            throw new IllegalStateException("libxl context already freed");
        }
        return ctx;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            libxl_h.libxl_ctx_free(ctx);
        }
    }
}
