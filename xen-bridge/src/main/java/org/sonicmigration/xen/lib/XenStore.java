package org.sonicmigration.xen.lib;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.sonicmigration.ffi.libc_h;
import org.sonicmigration.ffi.support.XenLibrary;
import org.sonicmigration.ffi.xenstore_h;

/**
 * A libxenstore connection: reads and writes of xenstore paths (domain names, {@code control/shutdown}),
 * watches and transactions. Every result libxenstore allocates is copied into Java and released with
 * libc {@code free} before the method returns.
 */
public final class XenStore implements AutoCloseable {
    /** xenstore's own limit on one value (XENSTORE_PAYLOAD_MAX). */
    static final int MAX_VALUE_BYTES = 4096;
    /** More entries than any sane directory has; a bound on what a reply may make us read. */
    static final int MAX_ENTRIES = 1 << 16;
    static final String WHERE = "xenstored (/var/run/xenstored/socket or /dev/xen/xenbus)";

    private static final NativeCall OPEN = call("xs_open", xenstore_h.xs_open$address(), xenstore_h.xs_open$descriptor());
    private static final NativeCall READ = call("xs_read", xenstore_h.xs_read$address(), xenstore_h.xs_read$descriptor());
    private static final NativeCall WRITE = call("xs_write", xenstore_h.xs_write$address(), xenstore_h.xs_write$descriptor());
    private static final NativeCall RM = call("xs_rm", xenstore_h.xs_rm$address(), xenstore_h.xs_rm$descriptor());
    private static final NativeCall DIRECTORY = call("xs_directory", xenstore_h.xs_directory$address(), xenstore_h.xs_directory$descriptor());
    private static final NativeCall WATCH = call("xs_watch", xenstore_h.xs_watch$address(), xenstore_h.xs_watch$descriptor());
    private static final NativeCall UNWATCH = call("xs_unwatch", xenstore_h.xs_unwatch$address(), xenstore_h.xs_unwatch$descriptor());
    private static final NativeCall READ_WATCH = call("xs_read_watch", xenstore_h.xs_read_watch$address(), xenstore_h.xs_read_watch$descriptor());
    private static final NativeCall TX_START = call("xs_transaction_start", xenstore_h.xs_transaction_start$address(), xenstore_h.xs_transaction_start$descriptor());
    private static final NativeCall TX_END = call("xs_transaction_end", xenstore_h.xs_transaction_end$address(), xenstore_h.xs_transaction_end$descriptor());
    private static final NativeCall DOMAIN_PATH = call("xs_get_domain_path", xenstore_h.xs_get_domain_path$address(), xenstore_h.xs_get_domain_path$descriptor());
    private static final NativeCall FILENO = call("xs_fileno", xenstore_h.xs_fileno$address(), xenstore_h.xs_fileno$descriptor());
    private static final NativeCall RESUME = call("xs_resume_domain", xenstore_h.xs_resume_domain$address(), xenstore_h.xs_resume_domain$descriptor());

    /** A fired watch: the path that changed and the token it was registered with. */
    public record WatchEvent(String path, String token) {}

    private final MemorySegment xsh;
    private boolean closed;

    private XenStore(MemorySegment xsh) {
        this.xsh = xsh;
    }

    private static NativeCall call(String name, MemorySegment address, java.lang.foreign.FunctionDescriptor d) {
        return NativeCall.of(name, address, d);
    }

    /** @throws XenUnavailableException if no xenstore daemon is reachable */
    public static XenStore open() {
        Libraries.require(XenLibrary.STORE);
        NativeCall.Outcome o = OPEN.invoke(0L);
        if (o.isNull()) {
            throw Unavailability.of(OPEN.name(), o.errno(), WHERE);
        }
        return new XenStore(o.asPointer());
    }

    /** The value at {@code path}, or empty if the node does not exist. */
    public Optional<String> read(String path) {
        return read(xenstore_h.XBT_NULL(), path);
    }

    /** The value at {@code path} as transaction {@code transaction} sees it, or empty if the node does not exist. */
    public Optional<String> read(int transaction, String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment len = arena.allocate(ValueLayout.JAVA_INT);
            NativeCall.Outcome o = READ.invoke(handle(), transaction, arena.allocateFrom(path), len);
            if (o.isNull()) {
                if (o.errno() == libc_h.ENOENT()) {
                    return Optional.empty();
                }
                throw new XenCallException(READ.name(), path, 0, o.errno());
            }
            try {
                int n = len.get(ValueLayout.JAVA_INT, 0);
                if (n < 0 || n > MAX_VALUE_BYTES) {
                    throw new XenCallException(READ.name(), path, n, 0, "no error", "value length " + n + " over " + MAX_VALUE_BYTES);
                }
                return Optional.of(text(o.asPointer(), n));
            } finally {
                libc_h.free(o.asPointer());
            }
        }
    }

    public void write(String path, String value) {
        write(xenstore_h.XBT_NULL(), path, value);
    }

    /** Writes {@code value} at {@code path} inside transaction {@code transaction}. */
    public void write(int transaction, String path, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(Math.max(bytes.length, 1));
            MemorySegment.copy(bytes, 0, data, ValueLayout.JAVA_BYTE, 0, bytes.length);
            WRITE.trueOrThrow(path + " = '" + value + "'", handle(), transaction, arena.allocateFrom(path), data, bytes.length);
        }
    }

    public void remove(String path) {
        try (Arena arena = Arena.ofConfined()) {
            RM.trueOrThrow(path, handle(), xenstore_h.XBT_NULL(), arena.allocateFrom(path));
        }
    }

    /** The names below {@code path}, or empty if the node does not exist. */
    public List<String> directory(String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment num = arena.allocate(ValueLayout.JAVA_INT);
            NativeCall.Outcome o = DIRECTORY.invoke(handle(), xenstore_h.XBT_NULL(), arena.allocateFrom(path), num);
            if (o.isNull()) {
                if (o.errno() == libc_h.ENOENT()) {
                    return List.of();
                }
                throw new XenCallException(DIRECTORY.name(), path, 0, o.errno());
            }
            try {
                return strings(o.asPointer(), num.get(ValueLayout.JAVA_INT, 0), DIRECTORY.name() + "(" + path + ")");
            } finally {
                libc_h.free(o.asPointer());
            }
        }
    }

    public void watch(String path, String token) {
        try (Arena arena = Arena.ofConfined()) {
            WATCH.trueOrThrow(path + ", token " + token, handle(), arena.allocateFrom(path), arena.allocateFrom(token));
        }
    }

    public void unwatch(String path, String token) {
        try (Arena arena = Arena.ofConfined()) {
            UNWATCH.trueOrThrow(path + ", token " + token, handle(), arena.allocateFrom(path), arena.allocateFrom(token));
        }
    }

    /** Blocks until a watch fires (use {@link #fileno()} with poll to wait with a timeout). */
    public WatchEvent readWatch() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment num = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment vec = READ_WATCH.pointerOrThrow("", handle(), num);
            try {
                List<String> parts = strings(vec, num.get(ValueLayout.JAVA_INT, 0), READ_WATCH.name());
                if (parts.size() < 2) {
                    throw new XenCallException(READ_WATCH.name(), "", parts.size(), 0, "no error", "watch event with " + parts.size() + " fields");
                }
                return new WatchEvent(parts.get(xenstore_h.XS_WATCH_PATH()), parts.get(xenstore_h.XS_WATCH_TOKEN()));
            } finally {
                libc_h.free(vec);
            }
        }
    }

    /** The connection's file descriptor: readable when a watch event is pending. */
    public int fileno() {
        return FILENO.intOrThrow("", handle());
    }

    /** Starts a transaction; pass its id to {@link #endTransaction}. */
    public int startTransaction() {
        NativeCall.Outcome o = TX_START.invoke(handle());
        if (o.asInt() == xenstore_h.XBT_NULL()) {
            throw new XenCallException(TX_START.name(), "", 0, o.errno());
        }
        return o.asInt();
    }

    /**
     * Commits (or aborts) a transaction.
     *
     * @return false if it conflicted with another writer ({@code EAGAIN}): redo it
     */
    public boolean endTransaction(int transaction, boolean abort) {
        NativeCall.Outcome o = TX_END.invoke(handle(), transaction, abort);
        if (o.asBoolean()) {
            return true;
        }
        if (o.errno() == libc_h.EAGAIN()) {
            return false;
        }
        throw new XenCallException(TX_END.name(), "transaction " + transaction, 0, o.errno());
    }

    /** {@code /local/domain/<domid>}, as xenstored names it. */
    public String domainPath(int domid) {
        MemorySegment p = DOMAIN_PATH.pointerOrThrow("domain " + domid, handle(), domid);
        try {
            return CStrings.read(p, MAX_VALUE_BYTES).orElseThrow();
        } finally {
            libc_h.free(p);
        }
    }

    /** Tells xenstored a suspended domain runs again (after {@code xc_domain_resume}). */
    public void resumeDomain(int domid) {
        RESUME.trueOrThrow("domain " + domid, handle(), domid);
    }

    private MemorySegment handle() {
        if (closed) {
            throw new IllegalStateException("xenstore connection already closed");
        }
        return xsh;
    }

    @SuppressWarnings("restricted")
    private static String text(MemorySegment p, int length) {
        return new String(p.reinterpret(length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    @SuppressWarnings("restricted")
    private static List<String> strings(MemorySegment vector, int count, String what) {
        if (count < 0 || count > MAX_ENTRIES) {
            throw new XenCallException(what, "", count, 0, "no error", count + " entries, more than " + MAX_ENTRIES);
        }
        MemorySegment v = vector.reinterpret((long) count * ValueLayout.ADDRESS.byteSize());
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(CStrings.read(v.getAtIndex(ValueLayout.ADDRESS, i), MAX_VALUE_BYTES).orElse(""));
        }
        return out;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            xenstore_h.xs_close(xsh);
        }
    }
}
