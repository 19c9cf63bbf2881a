package org.sonicmigration.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.sonicmigration.guest.HandshakeFailure;
import org.sonicmigration.guest.HintAreaGeometry;
import org.sonicmigration.guest.HintAreaWriter;
import org.sonicmigration.guest.HintFlag;
import org.sonicmigration.guest.SoftSet;
import org.sonicmigration.spi.DirtyLog;
import org.sonicmigration.spi.DomainInfo;
import org.sonicmigration.spi.HintChannel;
import org.sonicmigration.spi.HintUnavailableException;
import org.sonicmigration.spi.PageBitmap;
import org.sonicmigration.spi.PlatformState;
import org.sonicmigration.spi.RunState;
import org.sonicmigration.spi.SourceDomain;

/**
 * A source domain, its dirty log and its hint channel played from a {@link GuestScript}, which also
 * watches the engine: every read, fetch-and-clean and handshake is stamped with a step counter, so a
 * test can say afterwards which pages each pass read, which pages were stale when the final round was
 * planned, and what every page held at the suspend.
 *
 * <p>The guest's timeline: the live hint of pass {@code k} is published before the pass starts (after
 * the previous fetch-and-clean); the writes of pass {@code k} land right after the pass's first read
 * (so part of the pass reads old content and part new) or at its fetch-and-clean if it read nothing;
 * the handshake is answered at once, in list mode (pages not held); the writes after the handshake land
 * after the first read that follows it or else at the suspend. A write to a hole only sets its dirty
 * bit. A page's content is derived from its frame number and how often it was written.
 */
final class ScriptedDomain implements SourceDomain {
    static final int PAGE = 4096;

    private final GuestScript script;
    private final int n;
    private final int[] version;
    private final BitSet ram = new BitSet();
    private final long[] lastRead;
    private final long[] lastReport;
    private final long[] lastWrite;
    private final BitSet logged = new BitSet();
    private long step;
    /** An administrator's pause, which a suspend does not change and a resume does not lift. */
    private boolean paused;
    private boolean suspended;
    private boolean logOn;
    private int liveFetches;
    private boolean passWritesDone;
    private boolean handshakeDone;
    private boolean afterHandshakeDone;
    private long handshakeStep = Long.MAX_VALUE;
    private long lastLiveFetchStep = -1;
    private Channel channel;
    /** Throws from readFrames once this many reads have been made (a failing backend); -1: never. */
    int failAfterReads = -1;
    /** What readFrames throws once {@link #failAfterReads} is reached; null: a backend's IllegalStateException. */
    Error failReadWith;
    /** Throws from the step of this name (e.g. "capture state"): a backend that fails there. */
    String failOn = "";
    private int reads;
    private BitSet lastPhase;

    final Events events = new Events();
    /** The configuration a toolstack keeps for the domain (Xen: libxl's JSON); empty: none. */
    Optional<String> toolstackConfig = Optional.empty();
    final List<BitSet> liveReads = new ArrayList<>();
    final BitSet catchUpReads = new BitSet();
    final BitSet finalReads = new BitSet();
    /** Frames that would not map before the final round: what the engine may know as holes. */
    final BitSet mapFailedBeforeFinal = new BitSet();
    final BitSet finalDirty = new BitSet();
    /** For each live pass: the stale pages, and the last fetch-and-clean's pages, when it was chosen. */
    final List<BitSet> staleBeforePass = new ArrayList<>();
    final List<BitSet> dirtyBeforePass = new ArrayList<>();
    BitSet staleAtHandshake;
    BitSet staleAtFinal;
    BitSet ramAtSuspend;
    int[] versionAtSuspend;

    ScriptedDomain(GuestScript script) {
        this.script = script;
        this.n = script.pfns;
        this.version = new int[n];
        this.lastRead = new long[n];
        this.lastReport = new long[n];
        this.lastWrite = new long[n];
        Arrays.fill(lastRead, -1);
        Arrays.fill(lastReport, -1);
        Arrays.fill(lastWrite, -1);
        ram.set(0, n);
        ram.andNot(script.holes);
    }

    /** The guest's event list, which can also act when an event happens (a stop request, say). */
    static final class Events extends ArrayList<String> {
        private static final long serialVersionUID = 1L;
        private final transient java.util.Map<String, Runnable> hooks = new java.util.HashMap<>();

        /** Runs {@code action} once, when {@code event} is first recorded. */
        void when(String event, Runnable action) {
            hooks.put(event, action);
        }

        @Override
        public boolean add(String event) {
            boolean added = super.add(event);
            Runnable hook = hooks.remove(event);
            if (hook != null) {
                hook.run();
            }
            return added;
        }
    }

    /** The guest is paused by its administrator from the start. */
    ScriptedDomain pausedByAdministrator() {
        paused = true;
        return this;
    }

    /** The {@link RecordedStream#digest} of {@code pfn}'s content after {@code writes} writes. */
    static long digest(long pfn, int writes) {
        return RecordedStream.digest(words(pfn, writes));
    }

    private static long[] words(long pfn, int writes) {
        long[] w = new long[PAGE / 8];
        long x = pfn * 0x9E3779B97F4A7C15L ^ (writes + 1L) * 0xC2B2AE3D27D4EB4FL;
        for (int i = 0; i < w.length; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            w[i] = x;
        }
        return w;
    }

    private static void fill(MemorySegment dst, long offset, long pfn, int writes) {
        long[] w = words(pfn, writes);
        MemorySegment.copy(w, 0, dst, ValueLayout.JAVA_LONG_UNALIGNED, offset, w.length);
    }

    /** Whether the page must arrive with its content at the suspend: guest memory the guest did not give up. */
    boolean mustArrive(int pfn) {
        if (!ramAtSuspend.get(pfn)) {
            return false;
        }
        BitSet given = givenUp();
        // The final set is a promise as of the handshake; a page written after it, or after the last live
        // fetch-and-clean, is the guest's again.
        return !given.get(pfn) || lastWrite[pfn] > Math.min(handshakeStep, lastLiveFetchStep);
    }

    /** The final soft set the engine was given: none without a hint area or a successful handshake. */
    BitSet givenUp() {
        return handshakeDone && script.finalSoft != null ? script.finalSoft : new BitSet();
    }

    /** The digest of the page's content at the suspend. */
    long digestAtSuspend(int pfn) {
        return digest(pfn, versionAtSuspend[pfn]);
    }

    boolean handshakeDone() {
        return handshakeDone;
    }

    int livePasses() {
        return liveFetches;
    }

    private void write(int pfn) {
        if (!ram.get(pfn)) {
            // No guest writes a hole, but its dirty bit may be set (a change of its mapping, as a balloon
            // makes): the engine must not take a dirty frame for memory.
            if (logOn) {
                logged.set(pfn);
            }
            return;
        }
        version[pfn]++;
        lastWrite[pfn] = ++step;
        if (logOn) {
            logged.set(pfn);
        }
    }

    private void applyPassWrites() {
        if (passWritesDone) {
            return;
        }
        passWritesDone = true;
        int pass = liveFetches;
        script.populatedInPass.forEach((pfn, k) -> {
            if (k == pass) {
                ram.set(pfn);
            }
        });
        script.writes(pass).stream().forEach(this::write);
        script.populatedInPass.forEach((pfn, k) -> {
            if (k == pass) {
                write(pfn);
            }
        });
    }

    private void applyAfterHandshake() {
        if (!afterHandshakeDone) {
            afterHandshakeDone = true;
            script.afterHandshake.stream().forEach(this::write);
        }
    }

    private BitSet stale() {
        BitSet s = new BitSet();
        for (int p = 0; p < n; p++) {
            if (lastRead[p] < 0 || lastReport[p] > lastRead[p]) {
                s.set(p);
            }
        }
        return s;
    }

    @Override
    public DomainInfo info() {
        return new DomainInfo(3, name, n, n - script.holes.cardinality(), PAGE, state());
    }

    /** The domain's name: {@link #releaseName} gives it up as Xen's backend does. */
    private String name = "scripted";

    @Override
    public RunState state() {
        return suspended ? RunState.SUSPENDED : paused ? RunState.PAUSED : RunState.RUNNING;
    }

    private boolean running() {
        return state() == RunState.RUNNING;
    }

    @Override
    public void pause() {
        paused = true;
        events.add("pause");
    }

    @Override
    public void unpause() {
        paused = false;
        events.add("unpause");
    }

    @Override
    public void suspend(Duration timeout) {
        if (paused && !suspended) {
            throw new org.sonicmigration.spi.BackendException("domain scripted is paused and cannot answer a suspend request");
        }
        if (running()) {
            applyAfterHandshake();
        }
        lastLiveFetchStep = lastLiveFetchStep < 0 ? step : lastLiveFetchStep;
        ramAtSuspend = (BitSet) ram.clone();
        staleAtFinal = stale();
        versionAtSuspend = version.clone();
        suspended = true;
        events.add("suspend");
        step++;
    }

    @Override
    public void resumeAfterSuspend() {
        suspended = false;
        name = "scripted";
        events.add("resume");
    }

    @Override
    public void destroy() {
        events.add("destroy");
    }

    /** Frames the engine asked about in {@link #retainGuestRam}. */
    final BitSet ramChecked = new BitSet();

    @Override
    public void retainGuestRam(PageBitmap pfns) {
        for (long p = pfns.nextSetBit(0); p >= 0; p = pfns.nextSetBit(p + 1)) {
            ramChecked.set(Math.toIntExact(p));
            if (!ram.get(Math.toIntExact(p))) {
                pfns.clear(p);
            }
        }
    }

    @Override
    public DirtyLog enableDirtyLog() {
        logOn = true;
        events.add("log-dirty on");
        staleBeforePass.add(stale());
        dirtyBeforePass.add(new BitSet());
        return new DirtyLog() {
            @Override
            public void fetchAndClean(PageBitmap into) {
                if (running()) {
                    applyPassWrites();
                }
                into.clearAll();
                step++;
                logged.stream().forEach(p -> {
                    into.set(p);
                    lastReport[p] = step;
                });
                if (suspended) {
                    staleAtFinal = stale();
                    finalDirty.or(logged);
                    events.add("final fetch");
                } else {
                    liveFetches++;
                    lastLiveFetchStep = step;
                    passWritesDone = false;
                    events.add("fetch " + (liveFetches - 1));
                    staleBeforePass.add(stale());
                    dirtyBeforePass.add((BitSet) logged.clone());
                    if (channel != null) {
                        channel.publish(script.hint(liveFetches));
                    }
                }
                logged.clear();
            }

            @Override
            public void peek(PageBitmap into) {
                into.clearAll();
                logged.stream().forEach(into::set);
            }

            @Override
            public void close() {
                logOn = false;
                events.add("log-dirty off");
            }
        };
    }

    @Override
    public void readFrames(long[] pfns, int count, MemorySegment dst, int[] errors) {
        if (failAfterReads >= 0 && reads >= failAfterReads) {
            if (failReadWith != null) {
                throw failReadWith;
            }
            throw new IllegalStateException("frame access failed (scripted)");
        }
        reads++;
        step++;
        BitSet phase = phaseReads();
        if (phase != lastPhase) {
            lastPhase = phase;
            events.add(phase == finalReads ? "read final" : phase == catchUpReads ? "read catch-up" : "read live " + liveFetches);
        }
        for (int i = 0; i < count; i++) {
            int p = Math.toIntExact(pfns[i]);
            lastRead[p] = step;
            phase.set(p);
            if (ram.get(p)) {
                fill(dst, (long) i * PAGE, p, version[p]);
                errors[i] = 0;
            } else {
                errors[i] = FRAME_HOLE;
                if (running()) {
                    mapFailedBeforeFinal.set(p);
                }
            }
        }
        if (running()) {
            if (handshakeDone) {
                applyAfterHandshake();
            } else {
                applyPassWrites();
            }
        }
    }

    private BitSet phaseReads() {
        if (suspended) {
            return finalReads;
        }
        if (handshakeDone) {
            return catchUpReads;
        }
        while (liveReads.size() <= liveFetches) {
            liveReads.add(new BitSet());
        }
        return liveReads.get(liveFetches);
    }

    /** Pages read in live pass {@code k} (empty if it read nothing or never ran). */
    BitSet liveReads(int k) {
        return k < liveReads.size() ? liveReads.get(k) : new BitSet();
    }

    @Override
    public PlatformState captureState() {
        events.add("capture state");
        if (failOn.equals("capture state")) {
            throw new IllegalStateException("could not read the vCPU state (scripted)");
        }
        return new PlatformState(new byte[24], new byte[16], new PlatformState.TscInfo(0, 1_000_000, 0, 0),
                new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, List.of(new PlatformState.HvmParam(1, 0xfeffc)));
    }

    @Override
    public PlatformState.CpuPolicy cpuPolicy() {
        return new PlatformState.CpuPolicy(new byte[24], new byte[16]);
    }

    @Override
    public void releaseName() {
        name = "scripted--migratedaway";
        events.add("release name");
    }

    /** Lifts the suspend but keeps the given-up name: {@link #resumeAfterSuspend} would take it back. */
    @Override
    public void keepPausedAfterSuspend() {
        if (!paused) {
            pause();
        }
        suspended = false;
        events.add("suspend lifted, paused");
    }

    @Override
    public Optional<String> toolstackConfig() {
        return toolstackConfig;
    }

    /** The device model this guest has, if any (an HVM guest's QEMU). */
    Optional<org.sonicmigration.spi.DeviceModelState> deviceModel = Optional.empty();

    @Override
    public Optional<org.sonicmigration.spi.DeviceModelState> deviceModelState() {
        if (deviceModel.isPresent()) {
            events.add(suspended ? "device model state" : "device model state while running");
        }
        return deviceModel;
    }

    /** Non-empty: the guest advertises a hint channel the backend cannot use, for this reason. */
    String hintUnavailable = "";

    @Override
    public Optional<HintChannel> hintChannel() {
        if (!hintUnavailable.isEmpty()) {
            throw new HintUnavailableException(hintUnavailable);
        }
        if (!script.hintArea) {
            return Optional.empty();
        }
        channel = new Channel();
        channel.publish(script.hint(0));
        return Optional.of(channel);
    }

    @Override
    public void close() {}

    /** The guest's end of the hint area, played synchronously: it answers a request before notify returns. */
    private final class Channel implements HintChannel {
        private final MemorySegment area;
        private final HintAreaWriter writer;

        Channel() {
            HintAreaGeometry geometry = HintAreaGeometry.plan(n, false);
            area = Arena.ofAuto().allocate(geometry.areaBytes(), PAGE);
            writer = HintAreaWriter.initialize(area, geometry, 100, 60_000);
        }

        void publish(BitSet soft) {
            writer.publish(softSet(soft), EnumSet.of(HintFlag.FREE, HintFlag.CLEAN_CACHE), step);
        }

        private SoftSet softSet(BitSet b) {
            SoftSet.Builder s = SoftSet.builder(n);
            b.stream().filter(p -> p < n).forEach(s::set);
            return s.build();
        }

        @Override
        public MemorySegment area() {
            return area.asReadOnly();
        }

        @Override
        public Optional<String> withdrawn() {
            return script.moduleUnloaded ? Optional.of("data/sonic/state = closing") : Optional.empty();
        }

        @Override
        public void notifyGuest() {
            if (script.moduleUnloaded) {
                return;
            }
            staleAtHandshake = stale();
            handshakeStep = ++step;
            handshakeDone = true;
            events.add("handshake");
            writer.request();
            if (script.finalSoft == null) {
                writer.fail(HandshakeFailure.NO_MEMORY);
            } else {
                writer.publishFinal(softSet(script.finalSoft), EnumSet.of(HintFlag.FREE), step);
            }
        }

        @Override
        public boolean awaitGuestEvent(Duration timeout) {
            return true;
        }

        @Override
        public boolean keepCache(boolean keep) {
            return true;
        }

        @Override
        public void close() {}
    }
}
