package org.sonicmigration.sim.kernel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The simulated Linux guest kernel: per-frame state, a zoned page allocator with Linux's watermarks and
 * lowmem reserve, the page cache (file index, LRU, reads through the disk model, dirty pages and their
 * writeback), reclaim by kswapd and by direct reclaim, and the slab growth that page-cache metadata causes.
 * It only runs on the guest's vCPU context (one thread at a time, under the guest's vCPU lock); its frames
 * are read concurrently by the migrator.
 *
 * <p>Calibration (from the 6.1 profiles): watermarks follow Linux's khugepaged rule (min_free = 11 pageblocks
 * per populated zone, capped at 5 % of memory); kswapd reclaims the preferred zone up to its high watermark
 * in batches of 32 pages; one slab page is added per {@value #CACHE_PAGES_PER_SLAB_PAGE} pages of page-cache
 * high water (the cache stage grew slab by 1235 pages for 473224 cache pages) and given back only by
 * {@link #dropCaches()}; per-cpu free lists left from boot are drained into the buddy allocator at the first
 * memory pressure.
 *
 * <p>With {@code init_on_alloc} (Debian's 6.1 kernel has it on by default) every allocation zeroes its page
 * before handing it out, so taking a page out of the allocator is a write the dirty log sees, whoever takes it
 * and whatever they do next (a read in flight included).
 */
public final class GuestKernel implements ProcessKernel, ModuleKernel {
    static final int CACHE_PAGES_PER_SLAB_PAGE = 383;
    static final int SWAP_CLUSTER_MAX = 32;
    private static final long PAGEBLOCK = 512;

    private final PageFrames frames;
    private final DirtyTracker dirty;
    private final DiskModel disk = new DiskModel();
    private SimFile replayFile;
    private long replayOffset;
    private final long[] stateCounts = new long[PageState.values().length];
    private final long[] freeBits;
    /** CACHE_CLEAN frames, kept with every state change so the hint module's scan is a word-wise copy. */
    private final long[] cleanBits;
    private final List<Zone> zones = new ArrayList<>();
    private Zone preferred;
    private final LongStack pcp = new LongStack();
    private final LruRing lru = new LruRing();
    private final WritebackPolicy writeback;
    private final boolean initOnAlloc;
    private final ArrayDeque<PendingRead> pendingReads = new ArrayDeque<>();
    private final ArrayDeque<DirtyEntry> dirtyQueue = new ArrayDeque<>();
    private final ArrayDeque<DirtyEntry> inWriteback = new ArrayDeque<>();
    private final LongStack cacheSlab = new LongStack();
    private long cacheHighWater;
    private long cacheAtStart;
    private long nextFlush;
    private static final long KSWAPD_NAP_MS = 100;
    private boolean kswapdWoken;
    private long kswapdNapUntil = -1;
    private long now;
    private long reclaimed;
    private long allocFailures;

    private record PendingRead(long pfn, SimFile file, long offset) {}

    private record DirtyEntry(long pfn, long fileId, long offset, int version, long at) {}

    /** @param initOnAlloc zero every page as it is allocated (the kernel's {@code init_on_alloc}) */
    public GuestKernel(PageFrames frames, DirtyTracker dirty, WritebackPolicy writeback, boolean initOnAlloc) {
        this.frames = frames;
        this.dirty = dirty;
        this.writeback = writeback;
        this.initOnAlloc = initOnAlloc;
        this.freeBits = new long[(int) ((frames.pfnLimit() + 63) >>> 6)];
        this.cleanBits = new long[freeBits.length];
    }

    /** The guest's frames. */
    public PageFrames frames() {
        return frames;
    }

    /** The guest's log-dirty state. */
    public DirtyTracker dirtyTracker() {
        return dirty;
    }

    // ---- boot ------------------------------------------------------------------------------------------

    /** Sets a frame's boot state (before {@link #finishBoot}); free frames start as zeros, others with content. */
    public void bootFrame(long pfn, PageState s) {
        boolean zero = s == PageState.FREE || s == PageState.HOLE;
        frames.init(pfn, s, zero);
        counted(pfn, s);
        if (s == PageState.FREE) {
            freeBits[(int) (pfn >>> 6)] |= 1L << pfn;
        } else if (s == PageState.PCP_FREE) {
            pcp.push(pfn);
        }
    }

    /** Replaces a booted frame's state (special pages laid over holes). */
    public void bootReplace(long pfn, PageState s) {
        PageState old = frames.state(pfn);
        frames.init(pfn, s, s == PageState.FREE || s == PageState.HOLE);
        recount(pfn, old, s);
    }

    /** Boots a cache page of a replayed profile: consecutive cache frames are pages of 64 MiB files. */
    public void bootCacheFrame(long pfn, PageState s) {
        if (replayFile == null || replayOffset == replayFile.pages) {
            replayFile = disk.create(16384);
            replayOffset = 0;
        }
        bootCacheFrame(pfn, s, replayFile, replayOffset++);
    }

    private void bootCacheFrame(long pfn, PageState s, SimFile file, long offset) {
        int version = s == PageState.CACHE_DIRTY ? 1 : 0;
        frames.writeFile(pfn, s, file.id, offset, version);
        counted(pfn, s);
        file.setCached(offset, pfn);
        frames.setLru(pfn, true);
        lru.add(pfn);
        if (s == PageState.CACHE_DIRTY) {
            dirtyQueue.add(new DirtyEntry(pfn, file.id, offset, version, 0));
        }
    }

    /** Sets up zones and watermarks from the booted layout. */
    public void finishBoot(long ramEnd) {
        long dmaEnd = Math.min(ramEnd, 4096);
        long dma32End = Math.min(ramEnd, FrameSpace.HIGH_RAM_START);
        addZone("DMA", 0, 0, dmaEnd);
        addZone("DMA32", 1, dmaEnd, dma32End);
        addZone("Normal", 2, dma32End, ramEnd);
        if (zones.isEmpty()) {
            throw new SimulatorException("guest has no usable memory");
        }
        preferred = zones.getLast();
        long managed = zones.stream().mapToLong(z -> z.managed).sum();
        long sqrtRule = Math.clamp((long) Math.sqrt(managed * 4.0 * 16) / 4, 32, 65536);
        long thpRule = Math.min(PAGEBLOCK * zones.size() * 11, managed / 20);
        long minFree = Math.max(sqrtRule, thpRule);
        for (Zone z : zones) {
            z.min = minFree * z.managed / managed;
            long gap = Math.max(z.min / 4, z.managed * 10 / 10000);
            z.low = z.min + gap;
            z.high = z.low + gap;
            for (Zone higher : zones) {
                if (higher.index > z.index) {
                    long above = zones.stream().filter(o -> o.index > z.index && o.index <= higher.index)
                            .mapToLong(o -> o.managed).sum();
                    z.reserve[higher.index] = above / (z.index == 2 ? 32 : 256);
                }
            }
        }
        cacheAtStart = cachePages();
        cacheHighWater = cacheAtStart;
    }

    private void addZone(String name, int index, long start, long end) {
        if (end <= start) {
            return;
        }
        Zone z = new Zone(name, index, start, end);
        for (long p = start; p < end; p++) {
            PageState s = frames.state(p);
            if (s != PageState.RESERVED && s != PageState.HOLE && s != PageState.XEN_SPECIAL) {
                z.managed++;
            }
            if (s == PageState.FREE) {
                z.free++;
            }
        }
        if (z.managed > 0) {
            zones.add(z);
        }
    }

    // ---- state and content changes (counted, dirty-logged) ----------------------------------------------

    private void setState(long pfn, PageState s) {
        PageState old = frames.state(pfn);
        frames.setState(pfn, s);
        recount(pfn, old, s);
    }

    /** Counts a frame that enters state {@code s} at boot. */
    private void counted(long pfn, PageState s) {
        stateCounts[s.ordinal()]++;
        if (s == PageState.CACHE_CLEAN) {
            cleanBits[(int) (pfn >>> 6)] |= 1L << pfn;
        }
    }

    /** Moves a frame's count from {@code old} to {@code s}, keeping the clean-cache bitmap in step. */
    private void recount(long pfn, PageState old, PageState s) {
        stateCounts[old.ordinal()]--;
        stateCounts[s.ordinal()]++;
        if (old == PageState.CACHE_CLEAN) {
            cleanBits[(int) (pfn >>> 6)] &= ~(1L << pfn);
        }
        if (s == PageState.CACHE_CLEAN) {
            cleanBits[(int) (pfn >>> 6)] |= 1L << pfn;
        }
    }

    @Override
    public void cpuWrite(long pfn, PageState s) {
        PageState old = frames.state(pfn);
        frames.writeGeneric(pfn, s);
        recount(pfn, old, s);
        dirty.mark(pfn);
    }

    /** The CPU clears a page. */
    public void zeroPage(long pfn, PageState s) {
        PageState old = frames.state(pfn);
        frames.writeZero(pfn, s);
        recount(pfn, old, s);
        dirty.mark(pfn);
    }

    private void fileWrite(long pfn, PageState s, SimFile f, long offset, int version) {
        PageState old = frames.state(pfn);
        boolean lruFlag = Meta.onLru(frames.meta(pfn));
        frames.writeFile(pfn, s, f.id, offset, version);
        if (lruFlag) {
            frames.setLru(pfn, true);
        }
        recount(pfn, old, s);
        dirty.mark(pfn);
    }

    /** Explicit bytes written by a test or tool through the guest. */
    public void writeBytes(long pfn, int offset, byte[] data) {
        frames.writeBytes(pfn, offset, data);
        dirty.mark(pfn);
    }

    // ---- allocator -------------------------------------------------------------------------------------

    /**
     * Allocates one frame and gives it state {@code s} (content untouched: the caller writes it).
     *
     * @return the pfn, or -1 when nothing is free and nothing can be reclaimed
     */
    @Override
    public long allocate(PageState s) {
        if (!pcp.isEmpty()) {
            long pfn = pcp.pop();
            setState(pfn, s);
            initOnAlloc(pfn, s);
            return pfn;
        }
        long pfn = takeFrom(preferredZones(), zone -> zone.low);
        if (pfn < 0) {
            kswapdWoken = true;
            pfn = takeFrom(preferredZones(), zone -> zone.min);
        }
        while (pfn < 0) {
            if (reclaim(SWAP_CLUSTER_MAX) == 0) {
                // out of reclaimable memory: dip into the reserves below min before giving up
                pfn = takeFrom(preferredZones(), zone -> 0L);
                if (pfn < 0) {
                    allocFailures++;
                    return -1;
                }
                break;
            }
            pfn = takeFrom(preferredZones(), zone -> zone.min);
        }
        setState(pfn, s);
        initOnAlloc(pfn, s);
        return pfn;
    }

    private void initOnAlloc(long pfn, PageState s) {
        if (initOnAlloc) {
            frames.writeZero(pfn, s);
            dirty.mark(pfn);
        }
    }

    private List<Zone> preferredZones() {
        return zones.reversed();
    }

    private long takeFrom(List<Zone> order, java.util.function.ToLongFunction<Zone> mark) {
        for (Zone z : order) {
            if (z.watermarkOk(mark.applyAsLong(z), preferred)) {
                long pfn = nextFree(z);
                if (pfn >= 0) {
                    freeBits[(int) (pfn >>> 6)] &= ~(1L << pfn);
                    z.free--;
                    z.cursor = pfn + 1 < z.end ? pfn + 1 : z.start;
                    return pfn;
                }
            }
        }
        return -1;
    }

    private long nextFree(Zone z) {
        long p = scan(z.cursor, z.end);
        return p >= 0 ? p : scan(z.start, z.cursor);
    }

    private long scan(long from, long to) {
        if (from >= to) {
            return -1;
        }
        int w = (int) (from >>> 6);
        long word = freeBits[w] & (-1L << from);
        int last = (int) ((to - 1) >>> 6);
        while (true) {
            if (word != 0) {
                long p = ((long) w << 6) + Long.numberOfTrailingZeros(word);
                return p < to ? p : -1;
            }
            if (++w > last) {
                return -1;
            }
            word = freeBits[w];
        }
    }

    /** Returns a frame to the buddy allocator; its content stays as it was (Linux does not clear on free). */
    @Override
    public void free(long pfn) {
        setState(pfn, PageState.FREE);
        freeBits[(int) (pfn >>> 6)] |= 1L << pfn;
        zoneOf(pfn).free++;
    }

    private Zone zoneOf(long pfn) {
        for (Zone z : zones) {
            if (z.contains(pfn)) {
                return z;
            }
        }
        throw new IllegalStateException("pfn " + pfn + " is in no zone");
    }

    private void drainPcp() {
        while (!pcp.isEmpty()) {
            free(pcp.pop());
        }
    }

    // ---- page cache ------------------------------------------------------------------------------------

    /**
     * Starts reading page {@code offset} of {@code f} into the page cache (no-op when cached or in flight).
     *
     * @return false if no frame could be allocated
     */
    @Override
    public boolean readPage(SimFile f, long offset) {
        if (f.cachedPfn(offset) >= 0) {
            return true;
        }
        long pfn = allocate(PageState.CACHE_LOCKED);
        if (pfn < 0) {
            return false;
        }
        f.setCached(offset, pfn);
        pendingReads.add(new PendingRead(pfn, f, offset));
        return true;
    }

    /** The device finishes every read in flight: DMA writes the data (dirty-logged), pages unlock. */
    void completeReads() {
        while (!pendingReads.isEmpty()) {
            PendingRead r = pendingReads.poll();
            if (r.file.deleted) {
                free(r.pfn);
                continue;
            }
            fileWrite(r.pfn, PageState.CACHE_CLEAN, r.file, r.offset, r.file.diskVersion(r.offset));
            lruAdd(r.pfn);
        }
        growCacheSlab();
    }

    /**
     * The guest writes a whole page of {@code f} through the page cache (no read needed).
     *
     * @return false if no frame could be allocated
     */
    @Override
    public boolean writePage(SimFile f, long offset) {
        long pfn = f.cachedPfn(offset);
        int base;
        if (pfn >= 0) {
            long m = frames.meta(pfn);
            if (Meta.state(m) == PageState.CACHE_LOCKED) {
                return true; // a read is in flight; the write would wait for it, skip it in this model
            }
            base = Meta.fileVersion(m);
        } else {
            pfn = allocate(PageState.CACHE_DIRTY);
            if (pfn < 0) {
                return false;
            }
            f.setCached(offset, pfn);
            base = f.diskVersion(offset);
        }
        int version = (base + 1) & Meta.FILE_VERSION_MASK;
        fileWrite(pfn, PageState.CACHE_DIRTY, f, offset, version);
        lruAdd(pfn);
        dirtyQueue.add(new DirtyEntry(pfn, f.id, offset, version, now));
        growCacheSlab();
        return true;
    }

    /** Deletes a file: its cached pages are freed whatever their state (in-flight reads free on completion). */
    @Override
    public void deleteFile(SimFile f) {
        for (long off = 0; off < f.pages; off++) {
            long pfn = f.cachedPfn(off);
            if (pfn >= 0 && frames.state(pfn) != PageState.CACHE_LOCKED) {
                free(pfn);
            }
            f.setCached(off, -1);
        }
        disk.delete(f);
    }

    private void lruAdd(long pfn) {
        if (!Meta.onLru(frames.meta(pfn))) {
            frames.setLru(pfn, true);
            lru.add(pfn);
        }
        if (lru.size() > 2 * cachePages() + 4096) {
            lru.compact(p -> frames.state(p).isCache() && Meta.onLru(frames.meta(p)), frames.pfnLimit());
        }
    }

    private long cachePages() {
        return stateCounts[PageState.CACHE_CLEAN.ordinal()] + stateCounts[PageState.CACHE_DIRTY.ordinal()]
                + stateCounts[PageState.CACHE_WRITEBACK.ordinal()] + stateCounts[PageState.CACHE_LOCKED.ordinal()]
                + stateCounts[PageState.CACHE_MAPPED.ordinal()];
    }

    private void growCacheSlab() {
        long cache = cachePages();
        if (cache <= cacheHighWater) {
            return;
        }
        cacheHighWater = cache;
        long want = (cacheHighWater - cacheAtStart) / CACHE_PAGES_PER_SLAB_PAGE;
        while (cacheSlab.size() < want) {
            long pfn = allocate(PageState.SLAB);
            if (pfn < 0) {
                return;
            }
            cpuWrite(pfn, PageState.SLAB);
            cacheSlab.push(pfn);
        }
    }

    /**
     * Evicts up to {@code n} clean, unmapped cache pages from the LRU head; dirty, locked, writeback and
     * mapped pages rotate to the tail.
     *
     * @return pages freed
     */
    int reclaim(int n) {
        int freed = 0;
        int budget = lru.size();
        while (freed < n && budget-- > 0 && lru.size() > 0) {
            long pfn = lru.poll();
            long m = frames.meta(pfn);
            PageState s = Meta.state(m);
            if (!s.isCache() || !Meta.onLru(m)) {
                continue; // stale entry
            }
            if (s == PageState.CACHE_CLEAN) {
                evict(pfn, m);
                freed++;
            } else {
                lru.add(pfn);
            }
        }
        reclaimed += freed;
        return freed;
    }

    private void evict(long pfn, long m) {
        SimFile f = disk.file(Meta.fileId(m));
        if (f != null && f.cachedPfn(Meta.fileOffset(m)) == pfn) {
            f.setCached(Meta.fileOffset(m), -1);
        }
        free(pfn);
    }

    /** Linux's {@code echo 1 > drop_caches}: frees every clean, unmapped cache page and the cache's slab. */
    public long dropCaches() {
        return dropCaches(pfn -> false, Long.MAX_VALUE);
    }

    /**
     * Frees clean, unmapped cache pages from the LRU's cold end, except those {@code keep} names, at most
     * {@code limit} of them (a module invalidating mapping by mapping can stop when its time is up), and the
     * cache's slab.
     *
     * @return pages freed
     */
    @Override
    public long dropCaches(java.util.function.LongPredicate keep, long limit) {
        long freed = 0;
        int n = lru.size();
        for (int i = 0; i < n; i++) {
            long pfn = lru.poll();
            long m = frames.meta(pfn);
            PageState s = Meta.state(m);
            if (!s.isCache() || !Meta.onLru(m)) {
                continue;
            }
            if (s == PageState.CACHE_CLEAN && freed < limit && !keep.test(pfn)) {
                evict(pfn, m);
                freed++;
            } else {
                lru.add(pfn);
            }
        }
        while (!cacheSlab.isEmpty()) {
            free(cacheSlab.pop());
        }
        cacheAtStart = cachePages();
        cacheHighWater = cacheAtStart;
        return freed;
    }

    // ---- time ------------------------------------------------------------------------------------------

    /** Housekeeping of one quantum: device completions, writeback, kswapd. */
    public void tick(long dtNanos) {
        now += dtNanos;
        completeReads();
        writebackTick();
        kswapd();
    }

    @Override
    public long now() {
        return now;
    }

    /**
     * kswapd: woken when an allocation finds every zone below its low watermark, it reclaims until the
     * preferred zone is above its high watermark, then naps {@value #KSWAPD_NAP_MS} ms; if the zone has fallen
     * below high again by then it rebalances, else it sleeps until the next wake-up (Linux's
     * kswapd_try_to_sleep). So a guest that stops allocating settles just above the high watermark, as every
     * measured stage does.
     */
    private void kswapd() {
        boolean napOver = kswapdNapUntil >= 0 && now >= kswapdNapUntil;
        if (!kswapdWoken && !napOver) {
            return;
        }
        kswapdWoken = false;
        if (preferred.free > preferred.high) {
            kswapdNapUntil = -1;
            return;
        }
        drainPcp();
        while (preferred.free <= preferred.high) {
            if (reclaim(SWAP_CLUSTER_MAX) == 0) {
                break;
            }
        }
        kswapdNapUntil = now + KSWAPD_NAP_MS * 1_000_000L;
    }

    private void writebackTick() {
        long latency = writeback.latency().toNanos();
        while (!inWriteback.isEmpty() && inWriteback.peek().at + latency <= now) {
            DirtyEntry e = inWriteback.poll();
            SimFile f = disk.file(e.fileId);
            if (f == null) {
                continue;
            }
            f.setDiskVersion(e.offset, e.version);
            long m = frames.meta(e.pfn);
            if (Meta.state(m) == PageState.CACHE_WRITEBACK && Meta.kind(m) == Meta.FILE && Meta.fileId(m) == e.fileId
                    && Meta.fileOffset(m) == e.offset && Meta.fileVersion(m) == e.version) {
                setState(e.pfn, PageState.CACHE_CLEAN);
            }
        }
        if (now < nextFlush) {
            return;
        }
        nextFlush = now + writeback.interval().toNanos();
        long expire = writeback.expire().toNanos();
        while (!dirtyQueue.isEmpty() && dirtyQueue.peek().at + expire <= now) {
            DirtyEntry e = dirtyQueue.poll();
            long m = frames.meta(e.pfn);
            if (Meta.state(m) == PageState.CACHE_DIRTY && Meta.kind(m) == Meta.FILE && Meta.fileId(m) == e.fileId
                    && Meta.fileOffset(m) == e.offset && Meta.fileVersion(m) == e.version) {
                setState(e.pfn, PageState.CACHE_WRITEBACK);
                inWriteback.add(new DirtyEntry(e.pfn, e.fileId, e.offset, e.version, now));
            }
        }
    }

    // ---- inspection ------------------------------------------------------------------------------------

    public long count(PageState s) {
        return stateCounts[s.ordinal()];
    }

    public long[] stateCounts() {
        return stateCounts.clone();
    }

    public long reclaimedPages() {
        return reclaimed;
    }

    long allocationFailures() {
        return allocFailures;
    }

    /** The zones with their free counts and watermarks, one line each, for diagnostics. */
    public List<String> zoneSummary() {
        return zones.stream().map(Zone::toString).toList();
    }

    @Override
    public PageState state(long pfn) {
        return frames.state(pfn);
    }

    @Override
    public SimFile createFile(long pages) {
        return disk.create(pages);
    }

    /**
     * The fingerprint of what reading {@code fileId} at page {@code offset} from the disk gives now, or empty if
     * the file does not exist.
     */
    public java.util.Optional<Long> diskFingerprint(long fileId, long offset) {
        SimFile f = disk.file(fileId);
        if (f == null || offset < 0 || offset >= f.pages) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(frames.fileFingerprint(fileId, offset, f.diskVersion(offset)));
    }

    @Override
    public long[] allocateKernelPages(int n) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            long pfn = allocate(PageState.KERNEL);
            if (pfn < 0) {
                for (int j = 0; j < i; j++) {
                    free(out[j]);
                }
                throw new SimulatorException("out of memory for " + n + " kernel pages");
            }
            zeroPage(pfn, PageState.KERNEL);
            out[i] = pfn;
        }
        return out;
    }

    @Override
    public void share(long pfn, java.lang.foreign.MemorySegment page) {
        frames.share(pfn, page);
    }

    @Override
    public void markDirty(long pfn) {
        dirty.mark(pfn);
    }

    long buddyFree() {
        return stateCounts[PageState.FREE.ordinal()];
    }

    // ---- hint module support -----------------------------------------------------------------------------

    /**
     * Writes the words of the buddy-free pages into {@code out}: what a module finds free when it walks each
     * zone's free lists under the zone lock. Per-cpu-list pages are not in the buddy allocator.
     */
    @Override
    public void freeWords(long[] out) {
        System.arraycopy(freeBits, 0, out, 0, Math.min(out.length, freeBits.length));
    }

    /**
     * Writes the words of (buddy-free ∪ clean cache) into {@code out}, which covers pfns {@code [0, 64 *
     * out.length)}: what a module walking {@code struct page}s finds with {@code PageBuddy} and the page-cache
     * flags. Per-cpu-list pages are not PageBuddy and are not included.
     */
    @Override
    public void softWords(long[] out) {
        for (int i = 0; i < out.length; i++) {
            out[i] = freeBits[i] | cleanBits[i];
        }
    }

    /** Clean cache pages among the newest {@code 1 / fraction} of the LRU (its hot end), as bits into {@code out}. */
    @Override
    public void hotCleanCache(long[] out, int fraction) {
        long limit = 64L * out.length;
        lru.forEachNewest(lru.size() / fraction, pfn -> {
            if (pfn < limit && frames.state(pfn) == PageState.CACHE_CLEAN) {
                out[(int) (pfn >>> 6)] |= 1L << pfn;
            }
        });
    }

    /**
     * Takes free pages out of the allocator as a module's {@code alloc_pages(GFP_NOWAIT | __GFP_NORETRY |
     * __GFP_NOMEMALLOC)} loop would: the per-cpu lists are drained first ({@code drain_all_pages}), then every
     * zone gives pages while it stays above its min watermark plus the lowmem reserve, so the guest can still
     * allocate until it is suspended. The pages become {@link PageState#HELD}; the module writes nothing into
     * them, but with {@code init_on_alloc} the allocator zeroes each one, which dirties it.
     *
     * @param held receives the held pages' bits; must cover every frame
     * @return pages taken
     */
    @Override
    public long holdFree(long[] held) {
        drainPcp();
        long taken = 0;
        for (Zone z : preferredZones()) {
            long from = z.start;
            while (z.watermarkOk(z.min, preferred)) {
                long pfn = scan(from, z.end);
                if (pfn < 0) {
                    break;
                }
                freeBits[(int) (pfn >>> 6)] &= ~(1L << pfn);
                z.free--;
                setState(pfn, PageState.HELD);
                initOnAlloc(pfn, PageState.HELD);
                held[(int) (pfn >>> 6)] |= 1L << pfn;
                from = pfn + 1;
                taken++;
            }
        }
        return taken;
    }

    /** Gives a held page back through the free path. */
    @Override
    public void releaseHeld(long pfn) {
        if (frames.state(pfn) != PageState.HELD) {
            throw new IllegalStateException("pfn " + pfn + " is " + frames.state(pfn) + ", not held");
        }
        free(pfn);
    }
}
