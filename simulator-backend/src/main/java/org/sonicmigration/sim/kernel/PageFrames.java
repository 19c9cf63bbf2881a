package org.sonicmigration.sim.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The guest's frames: one metadata word per pfn ({@link Meta}: kernel state + content descriptor) and the
 * {@link PageStore} holding or generating the bytes. Content writes happen only on the guest's vCPU context
 * (one thread at a time); reads happen from any thread. A content write finishes (bytes, then the metadata
 * word with release semantics) before the caller sets the page's dirty bit, so whoever clears that bit and
 * then reads the page sees this write or a later one.
 *
 * <p>A frame can also be <em>shared</em>: its bytes are a page of a segment that someone else (dom0, through
 * the hint channel) maps, as a granted page is on Xen. The guest writes such a frame through that segment and
 * marks it dirty itself; reads of the frame read the segment. A later whole-page write through this class
 * ends the sharing.
 */
public final class PageFrames {
    private static final VarHandle META = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] meta;
    private final PageStore store;
    private final long guestSeed;
    private final long diskSeed;
    private long writeSeq;
    private final ConcurrentHashMap<Long, MemorySegment> shared = new ConcurrentHashMap<>();
    private volatile boolean anyShared;

    /**
     * Frames {@code [0, pfnLimit)} whose bytes live in a store of {@code mode} (resolved, not AUTO); generic
     * content derives from {@code guestSeed}, file content from {@code diskSeed}.
     */
    public static PageFrames create(long pfnLimit, PageStoreMode mode, long guestSeed, long diskSeed) {
        PageStore store = switch (mode) {
            case REAL -> new RealPageStore(pfnLimit);
            case SEEDED -> new SeededPageStore();
            case AUTO -> throw new IllegalArgumentException("resolve the page store mode first");
        };
        return new PageFrames(pfnLimit, store, guestSeed, diskSeed);
    }

    PageFrames(long pfnLimit, PageStore store, long guestSeed, long diskSeed) {
        if (pfnLimit > Integer.MAX_VALUE - 8) {
            throw new SimulatorException("frame space of " + pfnLimit + " frames exceeds the simulator's limit");
        }
        this.meta = new long[(int) pfnLimit];
        this.store = store;
        this.guestSeed = guestSeed;
        this.diskSeed = diskSeed;
    }

    public long pfnLimit() {
        return meta.length;
    }

    /** The store in use. */
    public PageStoreMode storeMode() {
        return store.mode();
    }

    long meta(long pfn) {
        return (long) META.getAcquire(meta, (int) pfn);
    }

    public PageState state(long pfn) {
        return Meta.state(meta(pfn));
    }

    /** Changes the kernel state only; content stays (freeing a page does not clear it). */
    void setState(long pfn, PageState s) {
        long m = meta[(int) pfn];
        long n = Meta.withState(m, s);
        if (!s.isCache()) {
            n = Meta.withLru(n, false);
        }
        META.setRelease(meta, (int) pfn, n);
    }

    void setLru(long pfn, boolean on) {
        META.setRelease(meta, (int) pfn, Meta.withLru(meta[(int) pfn], on));
    }

    /**
     * Backs frame {@code pfn} by {@code page} (4096 bytes) from now on; the frame's state is kept and its
     * content becomes whatever the page holds.
     */
    public void share(long pfn, MemorySegment page) {
        if (page.byteSize() != PageContent.PAGE_SIZE) {
            throw new IllegalArgumentException("a shared frame needs a 4096-byte page, got " + page.byteSize());
        }
        shared.put(pfn, page);
        anyShared = true;
        long m = meta[(int) pfn];
        publish(pfn, Meta.of(Meta.state(m), Meta.EXPLICIT, 0));
    }

    public boolean isShared(long pfn) {
        return anyShared && shared.containsKey(pfn);
    }

    private MemorySegment sharedPage(long pfn, long m) {
        return anyShared && Meta.kind(m) == Meta.EXPLICIT ? shared.get(pfn) : null;
    }

    private void unshare(long pfn) {
        if (anyShared) {
            shared.remove(pfn);
        }
    }

    /** Initial state without a content write (building the boot layout). */
    void init(long pfn, PageState s, boolean zero) {
        long m;
        if (zero) {
            m = Meta.of(s, Meta.ZERO, 0);
        } else {
            m = Meta.of(s, Meta.GENERIC, ++writeSeq);
            store.write(pfn, false, seedOf(pfn, m));
        }
        META.setRelease(meta, (int) pfn, m);
    }

    /** Writes fresh, never-seen-before content (a CPU writing a whole page) and sets the state. */
    void writeGeneric(long pfn, PageState s) {
        if (writeSeq == Meta.MAX_GENERIC_VERSION) {
            throw new SimulatorException("page version counter exhausted");
        }
        long m = Meta.of(s, Meta.GENERIC, ++writeSeq);
        unshare(pfn);
        store.write(pfn, false, seedOf(pfn, m));
        publish(pfn, m);
    }

    /** Zeroes the page (the kernel clearing a page for a new anonymous mapping) and sets the state. */
    void writeZero(long pfn, PageState s) {
        long m = Meta.of(s, Meta.ZERO, 0);
        unshare(pfn);
        store.write(pfn, true, 0);
        publish(pfn, m);
    }

    /** Writes file content (a device read or a CPU write of a file page) and sets the state. */
    void writeFile(long pfn, PageState s, long fileId, long offset, int version) {
        long m = Meta.of(s, Meta.FILE, Meta.filePayload(fileId, offset, version));
        unshare(pfn);
        store.write(pfn, false, seedOf(pfn, m));
        publish(pfn, m);
    }

    /** Overwrites bytes inside a page; the page's state is kept. */
    void writeBytes(long pfn, int offset, byte[] data) {
        long m = meta[(int) pfn];
        MemorySegment page = sharedPage(pfn, m);
        if (page != null) {
            MemorySegment.copy(MemorySegment.ofArray(data), 0, page, offset, data.length);
            return;
        }
        int kind = Meta.kind(m);
        store.writeBytes(pfn, kind == Meta.EXPLICIT, kind == Meta.ZERO, seedOf(pfn, m), offset, data);
        long n = Meta.of(Meta.state(m), Meta.EXPLICIT, 0);
        publish(pfn, Meta.withLru(n, Meta.onLru(m)));
    }

    public void read(long pfn, MemorySegment dst, long off) {
        long m = meta(pfn);
        MemorySegment page = sharedPage(pfn, m);
        if (page != null) {
            MemorySegment.copy(page, 0, dst, off, PageContent.PAGE_SIZE);
            return;
        }
        int kind = Meta.kind(m);
        store.read(pfn, kind == Meta.EXPLICIT, kind == Meta.ZERO, seedOf(pfn, m), dst, off);
    }

    public long fingerprint(long pfn) {
        long m = meta(pfn);
        MemorySegment page = sharedPage(pfn, m);
        if (page != null) {
            return PageContent.fingerprint(page, 0);
        }
        int kind = Meta.kind(m);
        return store.fingerprint(pfn, kind == Meta.EXPLICIT, kind == Meta.ZERO, seedOf(pfn, m));
    }

    /** Fingerprint of what a disk read of (file, offset) at {@code version} puts into a page. */
    public long fileFingerprint(long fileId, long offset, int version) {
        return PageContent.fingerprintOfSeed(fileSeed(fileId, offset, version));
    }

    /** Bytes of per-frame metadata plus stored content. */
    public long memoryBytes() {
        return (long) meta.length * Long.BYTES + store.storedBytes() + (long) shared.size() * PageContent.PAGE_SIZE;
    }

    /** For a page-cache frame holding file content: the file page and version it holds. */
    public java.util.Optional<FilePage> filePage(long pfn) {
        long m = meta(pfn);
        if (!Meta.state(m).isCache() || Meta.kind(m) != Meta.FILE) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new FilePage(Meta.fileId(m), Meta.fileOffset(m), Meta.fileVersion(m)));
    }

    private void publish(long pfn, long m) {
        META.setRelease(meta, (int) pfn, m);
    }

    private long seedOf(long pfn, long m) {
        return switch (Meta.kind(m)) {
            case Meta.GENERIC -> PageContent.seed(guestSeed, pfn, Meta.payload(m));
            case Meta.FILE -> fileSeed(Meta.fileId(m), Meta.fileOffset(m), Meta.fileVersion(m));
            default -> 0;
        };
    }

    private long fileSeed(long fileId, long offset, int version) {
        return PageContent.seed(diskSeed ^ PageContent.mix(fileId), offset, version);
    }
}
