package org.sonicmigration.xen.lib;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.sonicmigration.ffi.libc_h;
import org.sonicmigration.ffi.support.XenLibrary;
import org.sonicmigration.ffi.xenctrl_h;
import org.sonicmigration.ffi.xenforeignmemory_h;

/**
 * An open {@code xenforeignmemory} handle: maps another domain's frames into this process to copy them.
 * Frames that cannot be mapped (holes, paged-out frames) are reported per frame and never touched: a
 * read from a failed slot of the mapping would fault.
 */
public final class ForeignMemory implements AutoCloseable {
    /** Frames per map call; more would be a 256 MiB mapping, far beyond Xen's own 1024-frame batches. */
    public static final int MAX_FRAMES_PER_CALL = 1 << 16;

    private static final NativeCall OPEN = NativeCall.of("xenforeignmemory_open",
            xenforeignmemory_h.xenforeignmemory_open$address(), xenforeignmemory_h.xenforeignmemory_open$descriptor());
    private static final NativeCall MAP = NativeCall.of("xenforeignmemory_map",
            xenforeignmemory_h.xenforeignmemory_map$address(), xenforeignmemory_h.xenforeignmemory_map$descriptor());
    private static final NativeCall UNMAP = NativeCall.of("xenforeignmemory_unmap",
            xenforeignmemory_h.xenforeignmemory_unmap$address(), xenforeignmemory_h.xenforeignmemory_unmap$descriptor());

    private final MemorySegment fmem;
    private boolean closed;

    private ForeignMemory(MemorySegment fmem) {
        this.fmem = fmem;
    }

    /** @throws XenUnavailableException if {@code /dev/xen/privcmd} is missing or not accessible */
    public static ForeignMemory open(ToolLogger logger) {
        Libraries.require(XenLibrary.TOOLLOG, XenLibrary.FOREIGNMEMORY);
        NativeCall.Outcome o = logger.demoted(() -> OPEN.invoke(logger.segment(), 0));
        if (o.isNull()) {
            throw Unavailability.of(OPEN.name(), o.errno(), "/dev/xen/privcmd");
        }
        return new ForeignMemory(o.asPointer());
    }

    /**
     * Copies frames of {@code domid}: frame {@code frames[i]} goes to {@code dst} at {@code i * 4096}.
     * {@code errors[i]} gets 0 or the negative errno Xen reported for that frame (its slot in {@code dst}
     * is then left as it was).
     *
     * @param frames guest frame numbers (gfns: for HVM/PVH guests these are the pfns)
     * @return how many frames were copied
     */
    @SuppressWarnings("restricted")
    public synchronized int copyFrames(int domid, long[] frames, int count, MemorySegment dst, int[] errors) {
        if (closed) {
            throw new IllegalStateException("xenforeignmemory handle already closed");
        }
        long page = xenctrl_h.XC_PAGE_SIZE();
        if (count < 0 || count > frames.length || count > errors.length || count > MAX_FRAMES_PER_CALL) {
            throw new IllegalArgumentException("frame count " + count + " outside 0.." + Math.min(MAX_FRAMES_PER_CALL,
                    Math.min(frames.length, errors.length)));
        }
        if (dst.byteSize() < count * page) {
            throw new IllegalArgumentException("destination holds " + dst.byteSize() + " bytes, " + count + " frames need " + count * page);
        }
        if (count == 0) {
            return 0;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment arr = arena.allocateFrom(ValueLayout.JAVA_LONG, java.util.Arrays.copyOf(frames, count));
            MemorySegment err = arena.allocate(ValueLayout.JAVA_INT, count);
            NativeCall.Outcome o = MAP.invoke(fmem, domid, libc_h.PROT_READ(), (long) count, arr, err);
            if (o.isNull()) {
                throw new XenCallException(MAP.name(), "domain " + domid + ", " + count + " frames from " + frames[0], 0, o.errno());
            }
            MemorySegment mapping = o.asPointer().reinterpret(count * page);
            int copied = 0;
            try {
                for (int i = 0; i < count; i++) {
                    int e = err.getAtIndex(ValueLayout.JAVA_INT, i);
                    errors[i] = e;
                    if (e == 0) {
                        MemorySegment.copy(mapping, i * page, dst, i * page, page);
                        copied++;
                    }
                }
            } finally {
                NativeCall.Outcome u = UNMAP.invoke(fmem, o.asPointer(), (long) count);
                if (u.asInt() < 0) {
                    throw new XenCallException(UNMAP.name(), "domain " + domid + ", " + count + " frames", u.asInt(), u.errno());
                }
            }
            return copied;
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            xenforeignmemory_h.xenforeignmemory_close(fmem);
        }
    }
}
