package org.sonicmigration.sim.module;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongPredicate;
import org.sonicmigration.guest.HandshakeFailure;
import org.sonicmigration.guest.HandshakeProtocol;
import org.sonicmigration.guest.HandshakeState;
import org.sonicmigration.guest.HandshakeWord;
import org.sonicmigration.guest.HintAreaGeometry;
import org.sonicmigration.guest.HintAreaLayout;
import org.sonicmigration.guest.HintAreaWriter;
import org.sonicmigration.guest.HintFlag;
import org.sonicmigration.guest.SetPlacement;
import org.sonicmigration.guest.SoftSet;
import org.sonicmigration.sim.kernel.ModuleKernel;
import org.sonicmigration.sim.kernel.PageState;

/**
 * The SonicMigration module of a simulated guest, following SPEC.md (ABI 1.0) the way the Linux module does.
 * It lives in the guest: its hint area is made of kernel pages taken from the guest's allocator at load
 * (hard pages, migrated like any other; every write to them is dirty-logged), and it runs on the guest's vCPU
 * context once per quantum, in guest time, whichever clock drives the guest.
 *
 * <p><b>Live set.</b> Every period it scans the guest's frames and publishes, under the seqlock, the soft
 * pages: buddy-free pages, the pages it holds (they hold no data), and clean, unmapped, unlocked page cache.
 * Per-cpu-list free pages are not included: a scan finds free pages by {@code PageBuddy}, which per-cpu pages
 * lack (SPEC.md §6.2 step 3 names {@code is_free_buddy_page}). With {@code publishReferenced} the hot end of
 * the page-cache LRU (its newest quarter) goes into the referenced section.
 *
 * <p><b>On demand</b> (SPEC.md §4.4, {@link HintModuleSpec.Publication#ON_DEMAND}). The module scans once at
 * load and then only while dom0's lease is live: a lease (dom0's {@code data/sonic/live-request}, seen at the
 * module's next step as a xenstore watch would deliver it) publishes at once and then every period until it
 * expires or dom0 ends it with 0; a resume ends it. A periodic module ({@code PERIODIC}, ABI 1.0) ignores leases.
 *
 * <p><b>Handshake.</b> An event from dom0 starts handshake <i>s</i>+1 (REQUESTED, made visible before the
 * module looks at memory; an event to dom0), then DROPPING: clean cache is dropped (keeping the published
 * referenced pages); then the final set is collected and published and FINAL_READY is signalled. By default
 * ({@link HintModuleSpec.FinalSet#LIST}, the Linux module's choice on an {@code init_on_alloc} kernel) the set
 * is the buddy-free pages at the scan, published as FREE | CLEAN_CACHE and left in the allocator: the guest
 * may allocate and write them before it is paused, and the final dirty set carries those writes. With
 * {@link HintModuleSpec.FinalSet#HOLD} the per-cpu lists are drained and every zone's free pages above its min
 * watermark are taken out of the allocator ({@link PageState#HELD}) and published as FREE | CLEAN_CACHE | HELD;
 * held pages go back on resume after a suspend, when {@code hold_timeout_ms} passes without one, or they carry
 * over into a superseding handshake.
 *
 * <p><b>Costs</b> (guest time; the scan runs in a kernel worker, so they delay publication but do not slow the
 * workloads): classifying a PFN {@value #SCAN_NANOS_PER_PFN} ns (reading a 64-byte {@code struct page} from
 * memory), dropping a clean cache page {@value #DROP_NANOS_PER_PAGE} ns (xarray removal, LRU unlink, free),
 * holding a page {@value #HOLD_NANOS_PER_PAGE} ns (high-order allocations amortised over their pages). A 2 GiB
 * guest's scan is thus about 2.6 ms; dropping 2 GiB of cache about 130 ms. The handshake drops at most what its
 * 1.5 s budget allows, so a cooperative module always answers within the budget.
 */
public final class HintModule {

    /** Guest time to classify one PFN. */
    public static final long SCAN_NANOS_PER_PFN = 5;
    /** Guest time to drop one clean page-cache page. */
    public static final long DROP_NANOS_PER_PAGE = 250;
    /** Guest time to take one free page out of the allocator. */
    public static final long HOLD_NANOS_PER_PAGE = 20;
    /** The referenced set is the newest 1/4 of the page-cache LRU. */
    public static final int REFERENCED_FRACTION = 4;

    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * One live publication, as written into the area.
     *
     * @param generation the seqlock generation it was published at
     * @param soft       the live soft set
     * @param referenced the referenced set, when published
     * @param timeNanos  guest time of the publication
     */
    public record LivePublication(long generation, SoftSet soft, Optional<SoftSet> referenced, long timeNanos) {
    }

    /**
     * One final soft set, as written into the area.
     *
     * @param seq          the handshake it answers
     * @param finalSet     the pages named in it
     * @param flags        its flags
     * @param timeNanos    guest time of the publication
     * @param latencyNanos guest time from seeing the request to FINAL_READY
     */
    public record FinalPublication(long seq, SoftSet finalSet, Set<HintFlag> flags, long timeNanos, long latencyNanos) {
        public FinalPublication {
            flags = Set.copyOf(flags);
        }
    }

    /**
     * What the module has done so far.
     *
     * @param publications       live sets published
     * @param publishGuestNanos  modelled guest time spent scanning for them
     * @param handshakes         requests seen
     * @param finalSets          final sets published
     * @param lastHandshakeNanos guest time from request to FINAL_READY of the last final set, -1 if none
     * @param lastDropped        cache pages dropped by the last handshake
     * @param lastHeld           pages newly held by the last handshake
     * @param releases           times held pages were given back (resume, hold timeout)
     * @param leases             live-hint leases dom0 granted or renewed (SPEC.md §4.4)
     * @param leaseEnds          leases dom0 ended with 0
     * @param leaseLapses        leases that ran out while live (dom0 did not renew in time)
     */
    public record Stats(long publications, long publishGuestNanos, long handshakes, long finalSets,
                        long lastHandshakeNanos, long lastDropped, long lastHeld, long releases, long leases,
                        long leaseEnds, long leaseLapses) {
    }

    private enum Step { NONE, DROP, SCAN, PUBLISH }

    private final ModuleKernel kernel;
    private final Lock vcpuLock;
    private final HintModuleSpec spec;
    private final HintModuleSpec.HostileKind hostile;
    private final long periodNanos;
    private final long ackLatencyNanos;
    private final boolean withReferenced;
    private final boolean hold;
    private final long pfnCount;
    private final HintAreaGeometry geometry;
    private final MemorySegment area;
    private final long[] areaPfns;
    private final HintAreaWriter writer;

    private final AtomicBoolean dom0Request = new AtomicBoolean();
    private final boolean onDemand;
    /** Dom0's last lease write not yet seen by the module, in ms; -1: none. */
    private final AtomicLong leaseRequest = new AtomicLong(-1);
    /** Guest time the lease ends; -1: no lease. */
    private long leaseEnd = -1;
    private volatile long lastLeaseWrite = -1;
    private long leases;
    private long leaseEnds;
    private long leaseLapses;
    private final ReentrantLock eventLock = new ReentrantLock();
    private final Condition eventRaised = eventLock.newCondition();
    private boolean eventPending;

    private long nextPublishAt;
    private long publishDoneAt = -1;
    private long tornGeneration = 1;
    private final java.util.Random scribbles = new java.util.Random(0x5C21BB1E5L);
    private SoftSet promisedReferenced;
    private LivePublication lastLive;
    private volatile Consumer<LivePublication> observer;

    private Step next = Step.NONE;
    private long nextAt;
    private long requestAt;
    private final long[] held;
    private long heldCount;
    private SoftSet pendingFinal;
    private long holdDeadline = -1;
    private FinalPublication lastFinal;

    private long publications;
    private long publishGuestNanos;
    private long handshakes;
    private volatile boolean keepCache;
    private long finalSets;
    private long lastHandshakeNanos = -1;
    private long lastDropped;
    private long lastHeld;
    private long releases;

    /**
     * Loads the module into a booting guest: takes the area's pages from the guest's allocator, shares them,
     * writes the header. Runs before any workload.
     */
    public HintModule(ModuleKernel kernel, Lock vcpuLock, HintModuleSpec spec, long pfnCount) {
        if (spec instanceof HintModuleSpec.None) {
            throw new IllegalArgumentException("no module to load for " + spec);
        }
        this.kernel = kernel;
        this.vcpuLock = vcpuLock;
        this.spec = spec;
        this.hostile = spec instanceof HintModuleSpec.Hostile(HintModuleSpec.HostileKind k) ? k : null;
        this.periodNanos = spec.period().toNanos();
        this.ackLatencyNanos = spec instanceof HintModuleSpec.Cooperative c ? c.ackLatency().toNanos()
                : HintModuleSpec.DEFAULT_ACK_LATENCY.toNanos();
        this.withReferenced = spec instanceof HintModuleSpec.Cooperative c && c.publishReferenced();
        this.hold = spec.holdsFinalSet();
        this.onDemand = spec.publishesOnDemand();
        this.pfnCount = pfnCount;
        this.geometry = HintAreaGeometry.plan(pfnCount, withReferenced);
        this.areaPfns = kernel.allocateKernelPages(geometry.areaPages());
        // Arena.ofAuto: dom0's mapping may outlive the guest object in a test; the GC frees it after both.
        this.area = Arena.ofAuto().allocate(geometry.areaBytes(), HintAreaLayout.PAGE_SIZE);
        for (int i = 0; i < areaPfns.length; i++) {
            kernel.share(areaPfns[i], area.asSlice((long) i * HintAreaLayout.PAGE_SIZE, HintAreaLayout.PAGE_SIZE));
        }
        this.writer = HintAreaWriter.initialize(area, geometry, spec.period().toMillis(),
                HandshakeProtocol.DEFAULT_HOLD_TIMEOUT.toMillis());
        if (hostile != null) {
            corruptHeader(hostile);
        }
        this.held = new long[SoftSet.wordsFor(pfnCount)];
        for (long pfn : areaPfns) {
            kernel.markDirty(pfn);
        }
        this.nextPublishAt = kernel.now();
    }

    private void corruptHeader(HintModuleSpec.HostileKind kind) {
        switch (kind) {
            case BAD_MAGIC -> area.set(LE_LONG, HintAreaLayout.OFF_MAGIC, 0x0BADC0DE0BADC0DEL);
            case BAD_VERSION -> area.set(LE_SHORT, HintAreaLayout.OFF_ABI_MAJOR, (short) 2);
            case BAD_LENGTHS -> {
                area.set(LE_LONG, HintAreaLayout.OFF_LIVE + HintAreaLayout.DESC_CAPACITY, 1L << 62);
                area.set(LE_LONG, HintAreaLayout.OFF_FINAL_SET + HintAreaLayout.DESC_CAPACITY, 1L << 62);
            }
            case PFNS_BEYOND_MEMORY -> area.set(LE_LONG, HintAreaLayout.OFF_PFN_COUNT, pfnCount * 4);
            case ALL_SOFT, TORN_GENERATION, LYING_FINAL, FLIPPED_BITS -> {
                // these misbehave while running, not in the header
            }
        }
    }

    // ---- identity ----------------------------------------------------------------------------------------

    public HintModuleSpec spec() {
        return spec;
    }

    public HintAreaGeometry geometry() {
        return geometry;
    }

    /** PFNs the area covers: {@code [0, pfnCount())}, the guest's RAM. */
    public long pfnCount() {
        return pfnCount;
    }

    /** The guest frames holding the area, in area order (page {@code i} of the area is frame {@code areaPfns()[i]}). */
    public long[] areaPfns() {
        return areaPfns.clone();
    }

    /** The area as dom0 maps it: read-only, changing at any moment. */
    public MemorySegment area() {
        return area.asReadOnly();
    }

    // ---- what it published (thread-safe: taken under the guest's vCPU lock) -------------------------------

    /** The last live set written into the area; empty before the first, and always for a torn publisher. */
    public Optional<LivePublication> lastLive() {
        return locked(() -> Optional.ofNullable(lastLive));
    }

    /** The last final set written into the area (it may since have been released). */
    public Optional<FinalPublication> lastFinal() {
        return locked(() -> Optional.ofNullable(lastFinal));
    }

    /** Pages the module holds out of the allocator now. */
    public SoftSet heldPages() {
        return locked(() -> SoftSet.fromWords(pfnCount, held));
    }

    /** The handshake word as the module last stored it. */
    public HandshakeWord handshake() {
        return locked(writer::handshake);
    }

    public Stats stats() {
        return locked(() -> new Stats(publications, publishGuestNanos, handshakes, finalSets, lastHandshakeNanos,
                lastDropped, lastHeld, releases, leases, leaseEnds, leaseLapses));
    }

    /** Whether a lease on the live set is live now (guest time); always false for a periodic module. */
    public boolean leaseLive() {
        return locked(() -> leaseEnd >= 0 && kernel.now() < leaseEnd);
    }

    /** Tests: called on the vCPU context after each live publication. */
    public void onPublish(Consumer<LivePublication> o) {
        observer = o;
    }

    // ---- event channel ------------------------------------------------------------------------------------

    /** Dom0's event: a request the module handles at its next step (events coalesce). */
    public void notifyFromDom0() {
        dom0Request.set(true);
    }

    /**
     * Dom0's {@code data/sonic/live-request} write (SPEC.md §4.4): a lease of {@code lease} from when the module
     * sees it, zero ends it. Like a xenstore watch, the module sees the last write at its next step.
     */
    public void requestLive(Duration lease) {
        long ms = Math.max(0, lease.toMillis());
        lastLeaseWrite = ms;
        leaseRequest.set(ms);
    }

    /** What dom0 last wrote as {@code live-request} in ms (what xenstore would hold), -1 if it never wrote. */
    public long lastLeaseWrite() {
        return lastLeaseWrite;
    }

    /** Dom0's {@code data/sonic/keep-cache} wish (SPEC §7.1), read when a request arrives. */
    public void keepCache(boolean keep) {
        keepCache = keep;
    }

    /** Waits (real time) for an event from the module; consumes it. */
    public boolean awaitGuestEvent(Duration timeout) throws InterruptedException {
        long nanos = Math.max(0, timeout.toNanos());
        eventLock.lockInterruptibly();
        try {
            while (!eventPending) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = eventRaised.awaitNanos(nanos);
            }
            eventPending = false;
            return true;
        } finally {
            eventLock.unlock();
        }
    }

    private void raiseEvent() {
        eventLock.lock();
        try {
            eventPending = true;
            eventRaised.signalAll();
        } finally {
            eventLock.unlock();
        }
    }

    // ---- running (vCPU context, under the guest's lock) ---------------------------------------------------

    /** One quantum of the module, after the workloads of that quantum; the guest calls it under its vCPU lock. */
    public void step() {
        long now = kernel.now();
        long lease = leaseRequest.getAndSet(-1);
        if (onDemand) {
            lease(now, lease);
        }
        if (dom0Request.getAndSet(false)) {
            startHandshake(now);
        }
        runHandshake(now);
        if (holdDeadline >= 0 && now >= holdDeadline) {
            releaseAll();
            holdDeadline = -1;
        }
        publishLive(now);
    }

    /** A lease write seen at this step ({@code ms} ≥ 0), and the end of a lease that ran out. */
    private void lease(long now, long ms) {
        boolean live = leaseEnd >= 0 && now < leaseEnd;
        if (leaseEnd >= 0 && !live) {
            leaseLapses++;
            leaseEnd = -1;
        }
        if (ms > 0) {
            leases++;
            leaseEnd = now + Duration.ofMillis(ms).toNanos();
            if (!live && publishDoneAt < 0) {
                nextPublishAt = now; // a new lease publishes at once
            }
        } else if (ms == 0 && live) {
            leaseEnds++;
            leaseEnd = -1;
        }
    }

    /** The guest continues after a suspend (a cancelled migration): held pages go back, the word goes IDLE. */
    public void resumed() {
        if (leaseEnd >= 0) {
            leaseEnd = -1; // SPEC.md §4.4: a resume ends the lease
        }
        if (next != Step.NONE) {
            writer.fail(HandshakeFailure.INTERNAL);
            next = Step.NONE;
            pendingFinal = null;
        }
        holdDeadline = -1;
        releaseAll();
    }

    private void releaseAll() {
        HandshakeState state = writer.handshake().state().orElseThrow();
        if (heldCount == 0 && state == HandshakeState.IDLE) {
            return;
        }
        for (int w = 0; w < held.length; w++) {
            long bits = held[w];
            while (bits != 0) {
                long pfn = ((long) w << 6) + Long.numberOfTrailingZeros(bits);
                kernel.releaseHeld(pfn);
                bits &= bits - 1;
            }
            held[w] = 0;
        }
        heldCount = 0;
        writer.release();
        markHeader();
        releases++;
    }

    private void startHandshake(long now) {
        writer.request();
        markHeader();
        raiseEvent();
        handshakes++;
        requestAt = now;
        holdDeadline = -1;
        pendingFinal = null;
        next = Step.DROP;
        nextAt = now + ackLatencyNanos;
    }

    private void runHandshake(long now) {
        while (next != Step.NONE && now >= nextAt) {
            switch (next) {
                case DROP -> {
                    if (keepCache) {
                        // Dom0 asked the guest to keep its cache (SPEC §6.2 step 2): straight to the scan.
                        lastDropped = 0;
                        next = Step.SCAN;
                        continue;
                    }
                    writer.startDropping();
                    markHeader();
                    SoftSet keep = withReferenced ? promisedReferenced : null;
                    LongPredicate kept = keep == null ? pfn -> false : pfn -> pfn < pfnCount && keep.contains(pfn);
                    lastDropped = kernel.dropCaches(kept, dropLimit());
                    next = Step.SCAN;
                    nextAt += lastDropped * DROP_NANOS_PER_PAGE;
                }
                case SCAN -> {
                    lastHeld = hold ? kernel.holdFree(held) : 0;
                    heldCount += lastHeld;
                    pendingFinal = finalSet();
                    next = Step.PUBLISH;
                    nextAt += pfnCount * SCAN_NANOS_PER_PFN + lastHeld * HOLD_NANOS_PER_PAGE;
                    if (spec instanceof HintModuleSpec.Slow s) {
                        nextAt = Math.max(nextAt, requestAt + s.ackDelay().toNanos());
                    }
                }
                case PUBLISH -> {
                    Set<HintFlag> flags = hold ? EnumSet.of(HintFlag.FREE, HintFlag.CLEAN_CACHE, HintFlag.HELD)
                            : EnumSet.of(HintFlag.FREE, HintFlag.CLEAN_CACHE);
                    writer.publishFinal(pendingFinal, flags, now);
                    markHeader();
                    markSection(geometry.finalSet());
                    if (hostile == HintModuleSpec.HostileKind.FLIPPED_BITS) {
                        scribble(geometry.finalSet());
                    }
                    lastHandshakeNanos = now - requestAt;
                    lastFinal = new FinalPublication(writer.handshake().seq(), pendingFinal, flags, now, lastHandshakeNanos);
                    finalSets++;
                    pendingFinal = null;
                    next = Step.NONE;
                    holdDeadline = now + HandshakeProtocol.DEFAULT_HOLD_TIMEOUT.toNanos();
                    raiseEvent();
                }
                case NONE -> throw new IllegalStateException("unreachable");
            }
        }
    }

    /** Cache pages the drop may take so that scan and hold still fit the guest's budget (SPEC.md §6.2 step 5). */
    private long dropLimit() {
        if (spec instanceof HintModuleSpec.Slow) {
            return Long.MAX_VALUE;
        }
        long left = HandshakeProtocol.DEFAULT_GUEST_BUDGET.toNanos() - (nextAt - requestAt)
                - pfnCount * (SCAN_NANOS_PER_PFN + HOLD_NANOS_PER_PAGE);
        return Math.max(0, left / DROP_NANOS_PER_PAGE);
    }

    private SoftSet finalSet() {
        if (hostile == HintModuleSpec.HostileKind.ALL_SOFT) {
            return everything();
        }
        long[] words = held.clone();
        if (!hold) {
            kernel.freeWords(words);
        }
        if (hostile == HintModuleSpec.HostileKind.LYING_FINAL) {
            for (long pfn = 0; pfn < pfnCount; pfn++) {
                if (kernel.state(pfn) == PageState.ANON) {
                    words[(int) (pfn >>> 6)] |= 1L << pfn;
                }
            }
        }
        return SoftSet.fromWords(pfnCount, words);
    }

    private SoftSet everything() {
        return SoftSet.builder(pfnCount).setRange(0, pfnCount).build();
    }

    private void publishLive(long now) {
        // On demand: the load scan (no publication yet), then only under a live lease.
        boolean may = !onDemand || publications == 0 || (leaseEnd >= 0 && now < leaseEnd);
        if (publishDoneAt < 0 && now >= nextPublishAt && may) {
            long cost = pfnCount * SCAN_NANOS_PER_PFN;
            publishDoneAt = now + cost;
            publishGuestNanos += cost;
            nextPublishAt += periodNanos;
            if (nextPublishAt <= now) {
                nextPublishAt = now + periodNanos; // a guest that did not run for a while does not catch up
            }
        }
        if (publishDoneAt >= 0 && now >= publishDoneAt) {
            publishDoneAt = -1;
            publish(now);
        }
    }

    private void publish(long now) {
        if (hostile == HintModuleSpec.HostileKind.TORN_GENERATION) {
            tornGeneration += 2;
            area.set(LE_LONG, HintAreaLayout.OFF_GEN, tornGeneration);
            markHeader();
            publications++;
            return;
        }
        SoftSet soft;
        if (hostile == HintModuleSpec.HostileKind.ALL_SOFT) {
            soft = everything();
        } else {
            long[] words = new long[held.length];
            kernel.softWords(words);
            for (int i = 0; i < words.length; i++) {
                words[i] |= held[i];
            }
            soft = SoftSet.fromWords(pfnCount, words);
        }
        SoftSet referenced = null;
        if (withReferenced) {
            long[] words = new long[held.length];
            kernel.hotCleanCache(words, REFERENCED_FRACTION);
            referenced = SoftSet.fromWords(pfnCount, words).and(soft);
        }
        long gen = writer.publish(soft, referenced, EnumSet.of(HintFlag.FREE, HintFlag.CLEAN_CACHE), now);
        markHeader();
        markSection(geometry.live());
        if (referenced != null) {
            markSection(geometry.referenced());
        }
        if (hostile == HintModuleSpec.HostileKind.FLIPPED_BITS) {
            scribble(geometry.live());
        }
        promisedReferenced = referenced;
        lastLive = new LivePublication(gen, soft, Optional.ofNullable(referenced), now);
        publications++;
        Consumer<LivePublication> o = observer;
        if (o != null) {
            o.accept(lastLive);
        }
    }

    /** Random bits over a bitmap section, behind the seqlock's back (FLIPPED_BITS). */
    private void scribble(SetPlacement p) {
        long bytes = Math.min(p.capacity(), HintAreaLayout.bitmapBytes(pfnCount)) & ~7L;
        for (long off = 0; off < bytes; off += 8) {
            area.set(LE_LONG, p.offset() + off, scribbles.nextLong());
        }
        markSection(p);
    }

    /** After the writer's stores: the header page is dirty (Xen logs the guest's writes to its granted pages). */
    private void markHeader() {
        kernel.markDirty(areaPfns[0]);
    }

    private void markSection(SetPlacement p) {
        long first = p.offset() / HintAreaLayout.PAGE_SIZE;
        long last = (p.offset() + p.capacity() - 1) / HintAreaLayout.PAGE_SIZE;
        for (long i = first; i <= last; i++) {
            kernel.markDirty(areaPfns[(int) i]);
        }
    }

    private <T> T locked(java.util.function.Supplier<T> s) {
        vcpuLock.lock();
        try {
            return s.get();
        } finally {
            vcpuLock.unlock();
        }
    }

    @Override
    public String toString() {
        return "HintModule[" + spec + ", " + pfnCount + " PFNs, " + geometry.areaPages() + " area pages]";
    }
}
