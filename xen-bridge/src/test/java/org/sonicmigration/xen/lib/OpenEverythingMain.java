package org.sonicmigration.xen.lib;

import org.sonicmigration.xen.backend.XenBackend;
import org.sonicmigration.xen.backend.XenHypervisor;
import java.lang.foreign.MemorySegment;
import java.util.function.Supplier;

import org.sonicmigration.ffi.libc_h;
import org.sonicmigration.ffi.xenctrl_h;
import org.sonicmigration.ffi.xentoollog_h;

/**
 * Child-process body of {@link NoStderrNoiseTest}: opens every Xen handle on a machine without Xen and
 * prints one line per attempt on stdout ({@code name: ExceptionClass: message}). Mode {@code quiet} goes
 * through the wrappers and the quiet stdio logger and must leave stderr empty; mode {@code noisy} calls
 * libxc with its default logger, which writes to stderr: the control that shows the capture works.
 */
public final class OpenEverythingMain {

    public static void main(String[] args) {
        switch (args.length == 1 ? args[0] : "") {
            case "quiet" -> quiet();
            case "noisy" -> {
                MemorySegment xch = xenctrl_h.xc_interface_open(MemorySegment.NULL, MemorySegment.NULL, 0);
                System.out.println("raw xc_interface_open with the default logger: " + (xch.equals(MemorySegment.NULL) ? "NULL" : "handle"));
            }
            default -> {
                System.out.println("usage: OpenEverythingMain quiet|noisy");
                System.exit(2);
            }
        }
    }

    private static void quiet() {
        try (ToolLogger logger = ToolLogger.create()) {
            attempt("xc_interface_open", () -> XenCtrl.open(logger));
            attempt("xenforeignmemory_open", () -> ForeignMemory.open(logger));
            attempt("xengnttab_open", () -> GrantTables.open(logger));
            attempt("xenevtchn_open", () -> EventChannels.open(logger));
            attempt("xs_open", XenStore::open);
            attempt("libxl_ctx_alloc", () -> LibXl.open(logger));
            attempt("XenBackend.open", () -> new XenBackend().open());
            attempt("XenHypervisor.open", XenHypervisor::open);
        }
        // the other quiet option: libxentoollog's stdio logger on stderr, filtered at XTL_CRITICAL
        MemorySegment quietLogger = xentoollog_h.xtl_createlogger_stdiostream(libc_h.stderr(), xentoollog_h.XTL_CRITICAL(), 0);
        MemorySegment xch = xenctrl_h.xc_interface_open(quietLogger, quietLogger, 0);
        System.out.println("raw xc_interface_open with a XTL_CRITICAL stdio logger: " + (xch.equals(MemorySegment.NULL) ? "NULL" : "handle"));
        xentoollog_h.xtl_logger_destroy(quietLogger);
    }

    private static void attempt(String what, Supplier<? extends AutoCloseable> open) {
        try (AutoCloseable handle = open.get()) {
            System.out.println(what + ": opened " + handle.getClass().getSimpleName());
        } catch (Exception e) {
            System.out.println(what + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }
}
