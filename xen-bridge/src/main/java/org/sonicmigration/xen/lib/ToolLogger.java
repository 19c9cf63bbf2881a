package org.sonicmigration.xen.lib;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.sonicmigration.ffi.libc_h;
import org.sonicmigration.ffi.xentoollog_h;
import org.sonicmigration.ffi.xentoollog_logger;

/**
 * A {@code xentoollog_logger} whose three function pointers are Java upcalls, so every message the Xen
 * libraries log lands in SLF4J (logger {@code org.sonicmigration.xen.native.<context>}) instead of
 * on stderr. {@code vmessage} receives a C {@code va_list}: it is formatted by libc's {@code vsnprintf}
 * through a downcall, into a buffer of {@value #MESSAGE_BYTES} bytes (longer messages are cut).
 * <p>
 * Lifetime: the struct and the upcall stubs live in this object's arena, so close it only after every
 * library handle that was given {@link #segment()} has been closed.
 */
public final class ToolLogger implements AutoCloseable {
    static final String LOGGER_PREFIX = "org.sonicmigration.xen.native";
    static final int MESSAGE_BYTES = 2048;
    private static final int CONTEXT_BYTES = 64;

    private final Arena arena;
    private final MemorySegment logger;
    private final AtomicInteger destroyCalls = new AtomicInteger();
    private final ThreadLocal<Boolean> demoted = ThreadLocal.withInitial(() -> false);
    private boolean closed;

    private ToolLogger() {
        // shared: libraries may log from whichever Java thread calls into them
        this.arena = Arena.ofShared();
        this.logger = xentoollog_logger.allocate(arena);
        xentoollog_logger.vmessage(logger, xentoollog_logger.vmessage.allocate(this::vmessage, arena));
        xentoollog_logger.progress(logger, xentoollog_logger.progress.allocate(this::progress, arena));
        xentoollog_logger.destroy(logger, xentoollog_logger.destroy.allocate(this::destroy, arena));
    }

    /** A new logger; fails with {@link XenUnavailableException} if libxentoollog is not installed. */
    public static ToolLogger create() {
        Libraries.require(org.sonicmigration.ffi.support.XenLibrary.TOOLLOG);
        return new ToolLogger();
    }

    /** The {@code xentoollog_logger *} to pass to the Xen libraries' open functions. */
    public MemorySegment segment() {
        return logger;
    }

    /**
     * Runs {@code action} with this thread's library messages demoted to DEBUG: used around open calls
     * whose failure becomes an exception that already says what went wrong.
     */
    public <T> T demoted(Supplier<T> action) {
        boolean before = demoted.get();
        demoted.set(true);
        try {
            return action.get();
        } finally {
            demoted.set(before);
        }
    }

    /** How often a library called this logger's {@code destroy} (via {@code xtl_logger_destroy}). */
    public int destroyCalls() {
        return destroyCalls.get();
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }

    // ---- upcalls: they must never throw, an exception escaping into C would end the JVM

    private void vmessage(MemorySegment self, int level, int errnoval, MemorySegment context, MemorySegment format,
                          MemorySegment args) {
        try {
            String text = format(format, args);
            if (errnoval >= 0) {
                text = text + ": " + Errno.describe(errnoval);
            }
            log(context, level(level), text);
        } catch (Throwable t) {
            swallow(t);
        }
    }

    private void progress(MemorySegment self, MemorySegment context, MemorySegment doingWhat, int percent, long done,
                          long total) {
        try {
            String what = CStrings.read(doingWhat, MESSAGE_BYTES).orElse("");
            log(context, Level.DEBUG, what + ": " + percent + "% (" + Long.toUnsignedString(done) + " of "
                    + Long.toUnsignedString(total) + ")");
        } catch (Throwable t) {
            swallow(t);
        }
    }

    private void destroy(MemorySegment self) {
        destroyCalls.incrementAndGet();
    }

    private static String format(MemorySegment format, MemorySegment vaList) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment buffer = call.allocate(MESSAGE_BYTES);
            int needed = libc_h.vsnprintf(buffer, MESSAGE_BYTES, format, vaList);
            if (needed < 0) {
                return "(unformattable message: " + CStrings.read(format, MESSAGE_BYTES).orElse("") + ")";
            }
            int length = Math.min(needed, MESSAGE_BYTES - 1);
            String text = new String(buffer.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            return needed >= MESSAGE_BYTES ? text + "..." : text;
        }
    }

    private void log(MemorySegment context, Level level, String text) {
        String name = CStrings.read(context, CONTEXT_BYTES).map(ToolLogger::loggerSuffix).orElse("xen");
        Logger target = LoggerFactory.getLogger(LOGGER_PREFIX + "." + name);
        Level effective = demoted.get() && level.toInt() > Level.DEBUG.toInt() ? Level.DEBUG : level;
        target.atLevel(effective).log(text);
    }

    private static String loggerSuffix(String context) {
        String s = context.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        return s.isEmpty() ? "xen" : s;
    }

    /** Maps xentoollog's levels onto SLF4J's. */
    static Level level(int xtlLevel) {
        if (xtlLevel >= xentoollog_h.XTL_ERROR()) {
            return Level.ERROR;
        }
        if (xtlLevel == xentoollog_h.XTL_WARN()) {
            return Level.WARN;
        }
        if (xtlLevel >= xentoollog_h.XTL_PROGRESS()) {
            return Level.INFO;
        }
        if (xtlLevel >= xentoollog_h.XTL_VERBOSE()) {
            return Level.DEBUG;
        }
        return Level.TRACE;
    }

    private static void swallow(Throwable t) {
        try {
            LoggerFactory.getLogger(LOGGER_PREFIX).warn("Xen library log message lost: {}", t.toString());
        } catch (Throwable ignored) {
            // nothing left to report through
        }
    }
}
