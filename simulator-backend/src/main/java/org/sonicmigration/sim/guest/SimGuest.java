package org.sonicmigration.sim.guest;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sonicmigration.guest.profile.MemoryProfile;
import org.sonicmigration.guest.profile.PageClass;
import org.sonicmigration.sim.kernel.DirtyTracker;
import org.sonicmigration.sim.kernel.FilePage;
import org.sonicmigration.sim.kernel.FrameSpace;
import org.sonicmigration.sim.kernel.GuestKernel;
import org.sonicmigration.sim.kernel.LayoutTemplate;
import org.sonicmigration.sim.kernel.PageCategory;
import org.sonicmigration.sim.kernel.PageContent;
import org.sonicmigration.sim.kernel.PageFrames;
import org.sonicmigration.sim.kernel.PageState;
import org.sonicmigration.sim.kernel.PageStoreMode;
import org.sonicmigration.sim.kernel.SimulatorException;
import org.sonicmigration.sim.module.HintModule;
import org.sonicmigration.sim.module.HintModuleSpec;
import org.sonicmigration.sim.workload.Workload;
import org.sonicmigration.sim.workload.WorkloadSpec;
import org.sonicmigration.spi.DomainInfo;
import org.sonicmigration.spi.PlatformState;
import org.sonicmigration.spi.RunState;
import org.sonicmigration.spi.ThreadDeaths;

/**
 * A simulated guest: its kernel model, memory, workloads, clock, loaded module and run state. A simulated
 * host creates it and hands it to the migrator through the backend SPI; tests and the CLI use it to start
 * workloads, move virtual time, inspect pages and their kernel states, and check a migration against it.
 *
 * <p>Everything the guest does happens in quanta of one millisecond of guest time on its vCPU context, under
 * one lock; {@link #pause()} and {@link #suspend} take that lock, so when they return no guest write is in
 * progress and none starts until {@link #unpause()} / {@link #resumeAfterSuspend()}. Frame reads and the
 * dirty log do not take the lock: they run concurrently with the guest, as on Xen.
 */
public final class SimGuest {
    private static final Logger LOG = LoggerFactory.getLogger(SimGuest.class);

    /** Guest time per step of the kernel and its workloads. */
    public static final Duration QUANTUM = Duration.ofMillis(1);
    private static final long QUANTUM_NANOS = QUANTUM.toNanos();
    /** The real-time driver never catches up more than this at once (a stalled host loses guest time). */
    private static final long MAX_CATCH_UP_NANOS = 100_000_000L;

    private final Consumer<SimGuest> onDestroy;
    private final int domid;
    private final GuestConfig config;
    private final long ramEnd;
    private final PageFrames frames;
    private final DirtyTracker dirty;
    private final GuestKernel kernel;
    private final VcpuModel vcpu;
    private final HintModule module;
    private final ReentrantLock vcpuLock = new ReentrantLock();
    private final List<WorkloadHandle> workloads = new CopyOnWriteArrayList<>();
    private final List<GuestTask> tasks = new CopyOnWriteArrayList<>();
    private volatile boolean paused;
    private volatile boolean suspended;
    private volatile boolean destroyed;
    /** What killed the guest's vCPU thread, or null. */
    private volatile Throwable crash;
    private volatile SuspendPolicy suspendPolicy;
    private long carryNanos;
    private long uptimeNanos;
    private int workloadSeq;
    private final Thread driver;

    /**
     * Boots a guest; a simulated host does this for {@code createGuest}, and hears of the guest's end through
     * {@code onDestroy}. With the real-time clock the guest starts running at once.
     */
    public SimGuest(int domid, GuestConfig config, Consumer<SimGuest> onDestroy) {
        this.onDestroy = java.util.Objects.requireNonNull(onDestroy, "onDestroy");
        this.domid = domid;
        this.config = config;
        this.suspendPolicy = config.suspendPolicy();
        FrameSpace fs = config.frameSpace();
        long ramPages = config.ramPages();
        long pfnLimit;
        if (config.layout() instanceof GuestLayout.Replay(MemoryProfile p)) {
            this.ramEnd = p.pfnCount();
            pfnLimit = fs == FrameSpace.FLAT ? ramEnd : Math.max(ramEnd, FrameSpace.SPECIAL_END);
        } else {
            this.ramEnd = fs.ramEnd(ramPages);
            pfnLimit = fs.pfnLimit(ramPages);
        }
        PageStoreMode mode = config.storeMode().resolve(config.memoryBytes());
        long guestSeed = PageContent.seed(config.seed(), 0x6775657374L, 0);
        long diskSeed = PageContent.seed(config.seed(), 0x6469736bL, 0);
        this.frames = PageFrames.create(pfnLimit, mode, guestSeed, diskSeed);
        this.dirty = new DirtyTracker(pfnLimit);
        this.kernel = new GuestKernel(frames, dirty, config.writeback(), config.initOnAlloc());
        this.vcpu = new VcpuModel(config.vcpus(), config.seed());
        boot(fs, ramPages, pfnLimit);
        this.module = config.hintModule() instanceof HintModuleSpec.None ? null
                : new HintModule(kernel, vcpuLock, config.hintModule(), ramEnd);
        for (WorkloadSpec w : config.workloads()) {
            start(w);
        }
        if (config.clock() == ClockMode.REAL_TIME) {
            driver = Thread.ofPlatform().daemon().name("sim-guest-" + config.name()).unstarted(this::drive);
            driver.start();
        } else {
            driver = null;
        }
        LOG.debug("created guest {} (domid {}, {} MiB, {} store, {} frames)", config.name(), domid,
                config.memoryBytes() >> 20, mode, pfnLimit);
    }

    private void boot(FrameSpace fs, long ramPages, long pfnLimit) {
        switch (config.layout()) {
            case GuestLayout.Replay(MemoryProfile p) -> bootReplay(p, pfnLimit);
            case GuestLayout.Linux61 l -> {
                PageState[] states = LayoutTemplate.linux61().scale(ramPages, config.seed());
                bootRam(fs, ramPages, pfnLimit, r -> states[(int) r]);
            }
            case GuestLayout.Blank b -> bootRam(fs, ramPages, pfnLimit, r -> PageState.FREE);
        }
        if (fs == FrameSpace.XEN_PVH) {
            bootSpecial(FrameSpace.ACPI_PFN, FrameSpace.ACPI_PAGES);
            bootSpecial(FrameSpace.SPECIAL_PFN, FrameSpace.SPECIAL_PAGES);
        }
        kernel.finishBoot(ramEnd);
    }

    private void bootRam(FrameSpace fs, long ramPages, long pfnLimit, java.util.function.LongFunction<PageState> state) {
        long r = 0;
        for (long pfn = 0; pfn < pfnLimit; pfn++) {
            if (r < ramPages && fs.pfnOfRam(r) == pfn) {
                kernel.bootFrame(pfn, state.apply(r));
                r++;
            } else {
                kernel.bootFrame(pfn, PageState.HOLE);
            }
        }
    }

    private void bootReplay(MemoryProfile p, long pfnLimit) {
        for (long pfn = 0; pfn < pfnLimit; pfn++) {
            PageState s = pfn < p.pfnCount() ? PageState.forClass(p.classOf(pfn)) : PageState.HOLE;
            if (s.isCache()) {
                kernel.bootCacheFrame(pfn, s);
            } else {
                kernel.bootFrame(pfn, s);
            }
        }
    }

    private void bootSpecial(long first, int count) {
        for (long pfn = first; pfn < first + count; pfn++) {
            if (pfn < frames.pfnLimit() && frames.state(pfn) == PageState.HOLE) {
                kernel.bootReplace(pfn, PageState.XEN_SPECIAL);
            }
        }
    }

    // ---- identity --------------------------------------------------------------------------------------

    public String name() {
        return config.name();
    }

    public int domid() {
        return domid;
    }

    public GuestConfig config() {
        return config;
    }

    /** One past the highest pfn: a migration walks {@code [0, pfnLimit())}. */
    public long pfnLimit() {
        return frames.pfnLimit();
    }

    /** One past the last RAM pfn: the range {@link #profile()} covers. */
    public long ramEnd() {
        return ramEnd;
    }

    /** The page store in use (AUTO resolved). */
    public PageStoreMode storeMode() {
        return frames.storeMode();
    }

    public RunState state() {
        if (destroyed) {
            return RunState.DYING;
        }
        if (suspended) {
            return RunState.SUSPENDED;
        }
        return paused ? RunState.PAUSED : RunState.RUNNING;
    }

    public DomainInfo info() {
        long populated = frames.pfnLimit() - kernel.count(PageState.HOLE);
        return new DomainInfo(domid, config.name(), frames.pfnLimit(), populated, PageContent.PAGE_SIZE, state());
    }

    // ---- time and workloads ----------------------------------------------------------------------------

    /** Starts a program in the guest. */
    public WorkloadHandle start(WorkloadSpec spec) {
        vcpuLock.lock();
        try {
            checkAlive();
            long seed = PageContent.seed(config.seed(), 0x776f726bL, workloadSeq++);
            WorkloadHandle h = new WorkloadHandle(this, Workload.create(spec, seed, kernel));
            workloads.add(h);
            return h;
        } finally {
            vcpuLock.unlock();
        }
    }

    /** Every workload started so far, in start order. */
    public List<WorkloadHandle> workloads() {
        return List.copyOf(workloads);
    }

    /**
     * Moves virtual time forward by {@code d} (virtual clock only). Time passes while paused or suspended, but
     * nothing in the guest runs then. Cutting the same total time into different calls gives the same result.
     */
    public void advance(Duration d) {
        if (config.clock() != ClockMode.VIRTUAL) {
            throw new IllegalStateException("guest " + name() + " runs on the real-time clock; advance() needs ClockMode.VIRTUAL");
        }
        if (d.isNegative()) {
            throw new IllegalArgumentException("cannot advance by a negative duration: " + d);
        }
        run(d.toNanos());
    }

    /**
     * Virtual clock: advances in steps of {@code step} until every running workload is ready, at most {@code max}.
     *
     * @return whether all workloads became ready
     */
    public boolean advanceUntilReady(Duration step, Duration max) {
        long left = max.toNanos();
        while (!allReady()) {
            if (left <= 0) {
                return false;
            }
            long s = Math.min(step.toNanos(), left);
            advance(Duration.ofNanos(s));
            left -= s;
        }
        return true;
    }

    /**
     * Real-time clock: waits until every running workload is ready.
     *
     * @return false on timeout
     */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!allReady()) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(2);
        }
        return true;
    }

    private boolean allReady() {
        for (WorkloadHandle h : workloads) {
            if (!h.isStopped() && !h.isReady()) {
                return false;
            }
        }
        return true;
    }

    /** Guest time since creation, including time spent paused. */
    public Duration uptime() {
        vcpuLock.lock();
        try {
            return Duration.ofNanos(uptimeNanos);
        } finally {
            vcpuLock.unlock();
        }
    }

    private void run(long nanos) {
        long quanta;
        vcpuLock.lock();
        try {
            carryNanos += nanos;
            quanta = carryNanos / QUANTUM_NANOS;
            carryNanos %= QUANTUM_NANOS;
        } finally {
            vcpuLock.unlock();
        }
        for (long q = 0; q < quanta; q++) {
            vcpuLock.lock();
            try {
                if (destroyed) {
                    return;
                }
                uptimeNanos += QUANTUM_NANOS;
                if (!paused && !suspended) {
                    quantum();
                }
            } finally {
                vcpuLock.unlock();
            }
        }
    }

    private void quantum() {
        long before = totalWork();
        kernel.tick(QUANTUM_NANOS);
        for (WorkloadHandle h : workloads) {
            Workload w = h.workload();
            if (!w.stopped()) {
                w.step(kernel, QUANTUM_NANOS);
            }
        }
        if (module != null) {
            module.step();
        }
        for (GuestTask t : tasks) {
            t.step(this, QUANTUM);
        }
        vcpu.advance(QUANTUM_NANOS, totalWork() - before);
    }

    /** Runs {@code task} on the guest's vCPU context every quantum from now on. */
    public void addTask(GuestTask task) {
        tasks.add(java.util.Objects.requireNonNull(task));
    }

    public void removeTask(GuestTask task) {
        tasks.remove(task);
    }

    private long totalWork() {
        long s = 0;
        for (WorkloadHandle h : workloads) {
            s += h.workload().pagesTouched();
        }
        return s;
    }

    private void drive() {
        long last = System.nanoTime();
        while (!destroyed) {
            LockSupport.parkNanos(QUANTUM_NANOS);
            long now = System.nanoTime();
            long dt = Math.min(now - last, MAX_CATCH_UP_NANOS);
            last = now;
            try {
                run(dt);
            } catch (RuntimeException | Error e) {
                // The vCPU thread is gone, so is the guest (a kernel that panicked); what killed it is the cause of
                // whatever the migrator sees next, so it is recorded where the migration's report finds it. Nothing
                // here allocates before the record is made: the error may be that the heap is full.
                crash = e;
                destroyed = true;
                ThreadDeaths.record(e);
                try {
                    LOG.debug("guest {} crashed", name(), e);
                } catch (OutOfMemoryError stillFull) {
                    // the record above is what counts
                }
            }
        }
    }

    void stopWorkload(Workload w) {
        vcpuLock.lock();
        try {
            if (!w.stopped()) {
                w.stop(kernel);
            }
        } finally {
            vcpuLock.unlock();
        }
    }

    <T> T underLock(java.util.function.Supplier<T> s) {
        vcpuLock.lock();
        try {
            return s.get();
        } finally {
            vcpuLock.unlock();
        }
    }

    // ---- run state -------------------------------------------------------------------------------------

    /** Stops the vCPUs; when this returns no guest write is in progress. */
    public void pause() {
        vcpuLock.lock();
        try {
            checkAlive();
            paused = true;
        } finally {
            vcpuLock.unlock();
        }
    }

    public void unpause() {
        vcpuLock.lock();
        try {
            checkAlive();
            paused = false;
        } finally {
            vcpuLock.unlock();
        }
    }

    /**
     * Asks the guest to suspend and waits for it. The guest keeps running (its programs keep writing) for its
     * suspend latency; with the virtual clock that time is advanced here.
     *
     * @throws SimulatorException if the guest does not suspend within {@code timeout} (it then keeps running),
     *                            or if it is paused and cannot answer
     */
    public void suspend(Duration timeout) {
        if (paused) {
            throw new SimulatorException("guest " + name() + " is paused and cannot answer a suspend request");
        }
        checkAlive();
        if (suspended) {
            return;
        }
        SuspendPolicy p = suspendPolicy;
        Duration wait = switch (p) {
            case SuspendPolicy.Refuse r -> timeout;
            case SuspendPolicy.Cooperative(Duration latency) -> latency.compareTo(timeout) > 0 ? timeout : latency;
        };
        boolean complies = p instanceof SuspendPolicy.Cooperative(Duration latency) && latency.compareTo(timeout) <= 0;
        if (config.clock() == ClockMode.VIRTUAL) {
            run(wait.toNanos());
        } else {
            try {
                TimeUnit.NANOSECONDS.sleep(wait.toNanos());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SimulatorException("interrupted while waiting for guest " + name() + " to suspend", e);
            }
        }
        if (!complies) {
            throw new SimulatorException("guest " + name() + " did not suspend within " + timeout.toMillis() + " ms");
        }
        vcpuLock.lock();
        try {
            checkAlive();
            suspended = true;
        } finally {
            vcpuLock.unlock();
        }
    }

    /**
     * Lets a suspended guest continue on this host (a cancelled migration). Its hint module, if any, gives back
     * the pages it held for a final soft set, as the module's resume callback does on Linux.
     */
    public void resumeAfterSuspend() {
        vcpuLock.lock();
        try {
            checkAlive();
            boolean was = suspended;
            suspended = false;
            if (was && module != null) {
                module.resumed();
            }
        } finally {
            vcpuLock.unlock();
        }
    }

    /** Changes how the guest answers later suspend requests. */
    public void setSuspendPolicy(SuspendPolicy p) {
        this.suspendPolicy = java.util.Objects.requireNonNull(p);
    }

    /** The CPUID and MSR policies, fixed for the guest's life; available while it runs. */
    public PlatformState.CpuPolicy cpuPolicy() {
        return vcpu.policy();
    }

    /** vCPU and platform state; the guest must be paused or suspended. */
    public PlatformState captureState() {
        vcpuLock.lock();
        try {
            if (!paused && !suspended) {
                throw new SimulatorException("cannot capture the platform state of running guest " + name()
                        + ": pause or suspend it first");
            }
            return vcpu.capture();
        } finally {
            vcpuLock.unlock();
        }
    }

    /** Stops the guest for good and frees its memory. */
    public void destroy() {
        vcpuLock.lock();
        try {
            destroyed = true;
            dirty.disable();
        } finally {
            vcpuLock.unlock();
        }
        if (driver != null && driver != Thread.currentThread()) {
            driver.interrupt();
            try {
                driver.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        onDestroy.accept(this);
    }

    private void checkAlive() {
        crash().ifPresent(c -> {
            throw new SimulatorException("guest " + name() + " crashed: " + c);
        });
        if (destroyed) {
            throw new SimulatorException("guest " + name() + " has been destroyed");
        }
    }

    /** Why the guest's vCPU thread died ({@link RunState#DYING} from then on), if it did. */
    public Optional<String> crash() {
        Throwable c = crash;
        return c == null ? Optional.empty() : Optional.of(ThreadDeaths.describe(driver.getName(), c));
    }

    // ---- memory access ---------------------------------------------------------------------------------

    /** What {@link #readFrames} stores for a pfn with no frame (a hole or out of range). */
    public static final int ERR_NO_FRAME = org.sonicmigration.spi.SourceDomain.FRAME_HOLE;

    /** The migrator's frame read: see {@link org.sonicmigration.spi.SourceDomain#readFrames}. */
    public void readFrames(long[] pfns, int count, MemorySegment dst, int[] errors) {
        if (count < 0 || count > pfns.length || count > errors.length) {
            throw new IllegalArgumentException("count " + count + " does not fit pfns[" + pfns.length + "] / errors["
                    + errors.length + "]");
        }
        if (dst.byteSize() < (long) count * PageContent.PAGE_SIZE) {
            throw new IllegalArgumentException("destination of " + dst.byteSize() + " bytes cannot hold " + count + " pages");
        }
        for (int i = 0; i < count; i++) {
            long pfn = pfns[i];
            if (pfn < 0 || pfn >= frames.pfnLimit() || frames.state(pfn) == PageState.HOLE) {
                errors[i] = ERR_NO_FRAME;
                continue;
            }
            frames.read(pfn, dst, (long) i * PageContent.PAGE_SIZE);
            errors[i] = 0;
        }
    }

    /** The 4096 bytes of frame {@code pfn}. */
    public byte[] readPage(long pfn) {
        checkPfn(pfn);
        byte[] b = new byte[PageContent.PAGE_SIZE];
        frames.read(pfn, MemorySegment.ofArray(b), 0);
        return b;
    }

    /** The fingerprint of frame {@code pfn}'s content (see {@link PageContent#fingerprint}). */
    public long fingerprint(long pfn) {
        checkPfn(pfn);
        return frames.fingerprint(pfn);
    }

    /** Writes bytes into a frame as the guest CPU would (dirty-logged); the frame's kernel state is kept. */
    public void writeBytes(long pfn, int offset, byte[] data) {
        checkPfn(pfn);
        if (offset < 0 || data.length > PageContent.PAGE_SIZE - offset) {
            throw new IllegalArgumentException("write of " + data.length + " bytes at offset " + offset + " leaves the page");
        }
        vcpuLock.lock();
        try {
            checkAlive();
            if (frames.state(pfn) == PageState.HOLE) {
                throw new SimulatorException("pfn " + pfn + " is a hole");
            }
            kernel.writeBytes(pfn, offset, data);
        } finally {
            vcpuLock.unlock();
        }
    }

    /**
     * Allocates {@code n} zeroed kernel pages (state {@link PageState#KERNEL}), as a guest driver would for memory
     * it shares with dom0. The zeroing is a guest write, so it is dirty-logged.
     *
     * @throws SimulatorException if memory runs out (pages taken so far are given back)
     */
    public long[] allocateKernelPages(int n) {
        if (n < 0 || n > 1 << 20) {
            throw new IllegalArgumentException("kernel page count must be 0..2^20, got " + n);
        }
        return underLock(() -> {
            checkAlive();
            try {
                return kernel.allocateKernelPages(n);
            } catch (SimulatorException e) {
                throw new SimulatorException("guest " + name() + ": " + e.getMessage(), e);
            }
        });
    }

    /** Frees pages from {@link #allocateKernelPages}. */
    public void freeKernelPages(long[] pfns) {
        underLock(() -> {
            checkAlive();
            for (long pfn : pfns) {
                checkPfn(pfn);
                if (frames.isShared(pfn)) {
                    throw new SimulatorException("pfn " + pfn + " belongs to the hint module's area");
                }
                if (frames.state(pfn) != PageState.KERNEL) {
                    throw new SimulatorException("pfn " + pfn + " is " + frames.state(pfn) + ", not a kernel page");
                }
            }
            for (long pfn : pfns) {
                kernel.free(pfn);
            }
            return null;
        });
    }

    /** The kernel state of frame {@code pfn}. */
    public PageState pageState(long pfn) {
        checkPfn(pfn);
        return frames.state(pfn);
    }

    /** What frame {@code pfn}'s content is worth now (see {@link PageCategory}). */
    public PageCategory category(long pfn) {
        return PageCategory.of(pageState(pfn));
    }

    /**
     * The frames that are {@link PageCategory#HARD} now, over the whole frame space; taken at once under the
     * vCPU lock. At suspend these are the pages whose content a migration must carry unchanged.
     */
    public org.sonicmigration.spi.PageBitmap hardPages() {
        return underLock(() -> {
            org.sonicmigration.spi.PageBitmap b = new org.sonicmigration.spi.PageBitmap(frames.pfnLimit());
            for (long p = 0; p < frames.pfnLimit(); p++) {
                if (PageCategory.of(frames.state(p)) == PageCategory.HARD) {
                    b.set(p);
                }
            }
            return b;
        });
    }

    /** The guest's SonicMigration module, when its config loads one. */
    public Optional<HintModule> hintModule() {
        return Optional.ofNullable(module);
    }

    /** The class {@code /proc/kpageflags} would report for frame {@code pfn}. */
    public PageClass pageClass(long pfn) {
        return pageState(pfn).pageClass();
    }

    /** For a page-cache frame: the file page it caches and the content version it holds. */
    public Optional<FilePage> filePage(long pfn) {
        checkPfn(pfn);
        return frames.filePage(pfn);
    }

    /**
     * The fingerprint of what reading {@code fileId} at page {@code offset} from the disk gives now, or empty if
     * the file does not exist (the disk model: content is a function of file, offset and on-disk version).
     */
    public Optional<Long> diskFingerprint(long fileId, long offset) {
        return underLock(() -> kernel.diskFingerprint(fileId, offset));
    }

    /** Frames in each kernel state, over the whole frame space. */
    public Map<PageState, Long> stateCounts() {
        long[] c = underLock(kernel::stateCounts);
        EnumMap<PageState, Long> m = new EnumMap<>(PageState.class);
        for (PageState s : PageState.values()) {
            m.put(s, c[s.ordinal()]);
        }
        return Collections.unmodifiableMap(m);
    }

    /** The guest's memory as {@code /proc/kpageflags} would classify it, over pfns {@code [0, ramEnd())}. */
    public MemoryProfile profile() {
        return underLock(() -> {
            byte[] b = new byte[(int) ramEnd];
            for (long p = 0; p < ramEnd; p++) {
                b[(int) p] = (byte) frames.state(p).pageClass().ordinal();
            }
            return MemoryProfile.ofOrdinals(b, "sim guest " + name() + " at " + Duration.ofNanos(uptimeNanos));
        });
    }

    /** {@code echo 1 > /proc/sys/vm/drop_caches}: frees clean, unmapped page cache. Returns pages freed. */
    public long dropCaches() {
        return underLock(() -> {
            checkAlive();
            return kernel.dropCaches();
        });
    }

    /** Pages reclaimed from the page cache since boot (kswapd and direct reclaim). */
    public long reclaimedPages() {
        return underLock(kernel::reclaimedPages);
    }

    /** The zones with their free counts and watermarks, for diagnostics. */
    public List<String> zoneSummary() {
        return underLock(kernel::zoneSummary);
    }

    /** Host memory the guest's simulation uses: per-frame metadata, stored bytes, bitmaps. */
    public long footprintBytes() {
        long bitmaps = 2 * ((frames.pfnLimit() + 63) >>> 6) * 8;
        return frames.memoryBytes() + bitmaps;
    }

    // ---- the host's hooks --------------------------------------------------------------------------------

    /** The guest's log-dirty state, which a host's dirty log turns on and off and fetches. */
    public DirtyTracker dirtyTracker() {
        return dirty;
    }

    private void checkPfn(long pfn) {
        if (pfn < 0 || pfn >= frames.pfnLimit()) {
            throw new IndexOutOfBoundsException("pfn " + pfn + " outside guest " + name() + " (pfnLimit " + frames.pfnLimit() + ")");
        }
    }

    @Override
    public String toString() {
        return "SimGuest[" + name() + ", domid " + domid + ", " + (config.memoryBytes() >> 20) + " MiB, " + state() + "]";
    }
}
