package org.sonicmigration.xen.lib;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.sonicmigration.ffi.libc_h;
import org.sonicmigration.ffi.libxl_domain_config;
import org.sonicmigration.ffi.libxl_dominfo;
import org.sonicmigration.ffi.libxl_h;
import org.sonicmigration.ffi.support.XenLibrary;

/**
 * A libxenlight context ({@code libxl_ctx}), the toolstack's view of domains: what a migration source
 * needs from it (a domain's stored configuration, renaming it away at the hand-over, destroying it with
 * its xenstore entries and toolstack files), each call synchronous. Only what this project calls through
 * it is wrapped here; the rest of the bound libxl functions (suspend to a file descriptor,
 * create-restore) are used directly from {@code org.sonicmigration.ffi.libxl_h}.
 */
public final class LibXl implements AutoCloseable {
    private static final NativeCall ALLOC = NativeCall.of("libxl_ctx_alloc", libxl_h.libxl_ctx_alloc$address(), libxl_h.libxl_ctx_alloc$descriptor());
    private static final NativeCall INFO = NativeCall.of("libxl_domain_info", libxl_h.libxl_domain_info$address(), libxl_h.libxl_domain_info$descriptor());
    private static final NativeCall RESUME = NativeCall.of("libxl_domain_resume", libxl_h.libxl_domain_resume$address(), libxl_h.libxl_domain_resume$descriptor());
    private static final NativeCall RETRIEVE = NativeCall.of("libxl_retrieve_domain_configuration",
            libxl_h.libxl_retrieve_domain_configuration$address(), libxl_h.libxl_retrieve_domain_configuration$descriptor());
    private static final NativeCall TO_JSON = NativeCall.of("libxl_domain_config_to_json",
            libxl_h.libxl_domain_config_to_json$address(), libxl_h.libxl_domain_config_to_json$descriptor());
    private static final NativeCall RENAME = NativeCall.of("libxl_domain_rename", libxl_h.libxl_domain_rename$address(), libxl_h.libxl_domain_rename$descriptor());
    private static final NativeCall DESTROY = NativeCall.of("libxl_domain_destroy", libxl_h.libxl_domain_destroy$address(), libxl_h.libxl_domain_destroy$descriptor());

    /** Largest configuration JSON accepted (xl writes about 1 KiB for a small guest; devices add a little each). */
    static final int MAX_CONFIG_JSON_BYTES = 1 << 20;

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

    /**
     * The domain's configuration as libxl stored it when the domain was created, as JSON
     * ({@code libxl_retrieve_domain_configuration} + {@code libxl_domain_config_to_json}): what {@code xl save}
     * and {@code xl migrate} put in the xl header so that {@code xl restore} can rebuild the domain.
     *
     * @throws XenCallException if libxl has no configuration for the domain (it was not created by libxl)
     */
    public String domainConfigJson(int domid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment config = libxl_domain_config.allocate(arena);
            libxl_h.libxl_domain_config_init(config);
            try {
                libxlOrThrow(RETRIEVE, "domain " + domid, handle(), domid, config, MemorySegment.NULL);
                MemorySegment json = TO_JSON.pointerOrThrow("domain " + domid, handle(), config);
                try {
                    return CStrings.readWhole(json, MAX_CONFIG_JSON_BYTES).orElseThrow(() -> new XenCallException(
                            TO_JSON.name(), "domain " + domid, 0, 0, "no error",
                            "configuration longer than " + MAX_CONFIG_JSON_BYTES + " bytes"));
                } finally {
                    libc_h.free(json);
                }
            } finally {
                libxl_h.libxl_domain_config_dispose(config);
            }
        }
    }

    /**
     * Renames the domain in xenstore and in libxl's stored configuration ({@code libxl_domain_rename}).
     *
     * @param oldName the name it must have now (libxl refuses if it has another)
     */
    public void rename(int domid, String oldName, String newName) {
        try (Arena arena = Arena.ofConfined()) {
            libxlOrThrow(RENAME, "domain " + domid + ", '" + oldName + "' to '" + newName + "'", handle(), domid,
                    arena.allocateFrom(oldName), arena.allocateFrom(newName));
        }
    }

    /**
     * Destroys the domain the way {@code xl destroy} does ({@code libxl_domain_destroy}, synchronously):
     * the hypervisor's domain, its devices' and its own xenstore entries and libxl's files for it.
     */
    public void destroy(int domid) {
        libxlOrThrow(DESTROY, "domain " + domid, handle(), domid, MemorySegment.NULL);
    }

    /** libxl returns 0 or a negative {@code ERROR_*} code; errno is only a hint then. */
    private static void libxlOrThrow(NativeCall call, String context, Object... args) {
        NativeCall.Outcome o = call.invoke(args);
        if (o.asInt() != 0) {
            throw new XenCallException(call.name(), context, o.asInt(), o.errno());
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
