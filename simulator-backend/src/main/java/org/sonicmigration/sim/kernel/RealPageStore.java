package org.sonicmigration.sim.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Keeps real bytes: 2 MiB chunks of 512 pages, allocated when a page of the chunk first gets non-zero
 * content. Pages of a chunk that was never allocated read as zeros, which is also what a freshly populated
 * Xen frame holds.
 */
final class RealPageStore implements PageStore {
    private static final int CHUNK_SHIFT = 9;
    private static final int CHUNK_PAGES = 1 << CHUNK_SHIFT;
    private static final VarHandle CHUNK = MethodHandles.arrayElementVarHandle(byte[][].class);

    private final byte[][] chunks;
    private long allocated;

    RealPageStore(long pfnLimit) {
        long n = (pfnLimit + CHUNK_PAGES - 1) >>> CHUNK_SHIFT;
        if (n > Integer.MAX_VALUE) {
            throw new SimulatorException("frame space too large for the real-bytes store: " + pfnLimit + " frames");
        }
        this.chunks = new byte[(int) n][];
    }

    @Override
    public PageStoreMode mode() {
        return PageStoreMode.REAL;
    }

    @Override
    public void write(long pfn, boolean zero, long seed) {
        byte[] c = chunk(pfn);
        if (c == null) {
            if (zero) {
                return;
            }
            c = allocate(pfn);
        }
        int off = offset(pfn);
        if (zero) {
            java.util.Arrays.fill(c, off, off + PageContent.PAGE_SIZE, (byte) 0);
        } else {
            PageContent.generate(seed, c, off);
        }
    }

    @Override
    public void writeBytes(long pfn, boolean explicit, boolean zero, long seed, int offset, byte[] data) {
        byte[] c = chunk(pfn);
        if (c == null) {
            c = allocate(pfn);
        }
        System.arraycopy(data, 0, c, offset(pfn) + offset, data.length);
    }

    @Override
    public void read(long pfn, boolean explicit, boolean zero, long seed, MemorySegment dst, long off) {
        byte[] c = chunk(pfn);
        if (c == null) {
            dst.asSlice(off, PageContent.PAGE_SIZE).fill((byte) 0);
        } else {
            MemorySegment.copy(MemorySegment.ofArray(c), offset(pfn), dst, off, PageContent.PAGE_SIZE);
        }
    }

    @Override
    public long fingerprint(long pfn, boolean explicit, boolean zero, long seed) {
        byte[] c = chunk(pfn);
        return c == null ? PageContent.ZERO_FINGERPRINT : PageContent.fingerprint(c, offset(pfn));
    }

    @Override
    public long storedBytes() {
        return allocated * CHUNK_PAGES * (long) PageContent.PAGE_SIZE;
    }

    private byte[] chunk(long pfn) {
        return (byte[]) CHUNK.getAcquire(chunks, (int) (pfn >>> CHUNK_SHIFT));
    }

    private byte[] allocate(long pfn) {
        byte[] c = new byte[CHUNK_PAGES * PageContent.PAGE_SIZE];
        CHUNK.setRelease(chunks, (int) (pfn >>> CHUNK_SHIFT), c);
        allocated++;
        return c;
    }

    private static int offset(long pfn) {
        return (int) (pfn & (CHUNK_PAGES - 1)) * PageContent.PAGE_SIZE;
    }
}
