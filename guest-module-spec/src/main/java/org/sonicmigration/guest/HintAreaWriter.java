package org.sonicmigration.guest;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The guest's side of the hint area, as SPEC.md prescribes it: initialises the header, publishes the
 * live soft set under the seqlock, and drives the handshake word and the final soft set. The simulator's
 * guest module and the tests use it; a kernel module does the same with {@code sonic_hint.h}.
 *
 * <p>Single writer: one instance per area, and calls on it must not overlap (the guest serialises its
 * publisher and its handshake worker with one lock). Readers in other threads or domains may read the
 * area at any time; the ordering they rely on comes from the accesses used here.
 */
public final class HintAreaWriter {

    private final MemorySegment area;
    private final HintAreaGeometry geometry;
    private long generation;
    private HandshakeWord handshake = new HandshakeWord(0, HandshakeState.IDLE, HandshakeFailure.NONE);

    private HintAreaWriter(MemorySegment area, HintAreaGeometry geometry) {
        this.area = area;
        this.geometry = geometry;
    }

    /**
     * Zeroes the area's first {@code geometry.areaBytes()} bytes and writes a fresh header: generation 0
     * (an empty live set), handshake IDLE with sequence 0. Do this before advertising the area.
     *
     * @throws HintAreaException if the segment is smaller than the geometry or read-only
     */
    public static HintAreaWriter initialize(MemorySegment area, HintAreaGeometry geometry, long publishPeriodMillis,
                                            long holdTimeoutMillis) {
        if (area.isReadOnly()) {
            throw new HintAreaException("the hint area segment is read-only");
        }
        if (area.byteSize() < geometry.areaBytes()) {
            throw new HintAreaException("hint area segment of " + area.byteSize() + " bytes is smaller than its geometry's "
                    + geometry.areaBytes());
        }
        if (publishPeriodMillis < 0 || publishPeriodMillis > 0xFFFF_FFFFL || holdTimeoutMillis < 0 || holdTimeoutMillis > 0xFFFF_FFFFL) {
            throw new HintAreaException("publish period and hold timeout must fit 32 bits: " + publishPeriodMillis + ", " + holdTimeoutMillis);
        }
        area.asSlice(0, geometry.areaBytes()).fill((byte) 0);
        area.set(HintAreaLayout.U64_UNALIGNED, HintAreaLayout.OFF_MAGIC, HintAreaLayout.MAGIC);
        area.set(HintAreaLayout.U16.withByteAlignment(1), HintAreaLayout.OFF_ABI_MAJOR, (short) HintAreaLayout.ABI_MAJOR);
        area.set(HintAreaLayout.U16.withByteAlignment(1), HintAreaLayout.OFF_ABI_MINOR, (short) HintAreaLayout.ABI_MINOR);
        putU32(area, HintAreaLayout.OFF_HEADER_SIZE, HintAreaLayout.HEADER_SIZE);
        putU32(area, HintAreaLayout.OFF_PAGE_SIZE, HintAreaLayout.PAGE_SIZE);
        putU32(area, HintAreaLayout.OFF_AREA_PAGES, geometry.areaPages());
        area.set(HintAreaLayout.U64_UNALIGNED, HintAreaLayout.OFF_PFN_COUNT, geometry.pfnCount());
        putU32(area, HintAreaLayout.OFF_PUBLISH_PERIOD_MS, publishPeriodMillis);
        putU32(area, HintAreaLayout.OFF_HOLD_TIMEOUT_MS, holdTimeoutMillis);
        putDescriptor(area, HintAreaLayout.OFF_LIVE, geometry.live());
        putDescriptor(area, HintAreaLayout.OFF_FINAL_SET, geometry.finalSet());
        putDescriptor(area, HintAreaLayout.OFF_REFERENCED, geometry.referenced());
        HintAreaWriter w = new HintAreaWriter(area, geometry);
        AreaAccess.storeRelease(area, HintAreaLayout.OFF_HANDSHAKE, w.handshake.encode());
        AreaAccess.storeRelease(area, HintAreaLayout.OFF_GEN, 0);
        return w;
    }

    public HintAreaGeometry geometry() {
        return geometry;
    }

    /** The current (even) generation; the next publication makes it {@code generation() + 2}. */
    public long generation() {
        return generation;
    }

    public HandshakeWord handshake() {
        return handshake;
    }

    /** {@link #publish(SoftSet, SoftSet, Set, long)} without a referenced set. */
    public long publish(SoftSet soft, Set<HintFlag> classes, long timeNanos) {
        return publish(soft, null, classes, timeNanos);
    }

    /**
     * Publishes a new live soft set under the seqlock.
     *
     * @param soft       the soft pages; its size must equal the geometry's PFN count
     * @param referenced recently referenced soft pages, or null; needs a referenced section
     * @param classes    which classes {@code soft} includes ({@link HintFlag#FREE}, {@link HintFlag#CLEAN_CACHE});
     *                   TRUNCATED and REFERENCED are set by the writer itself
     * @param timeNanos  the guest's monotonic clock now
     * @return the new generation
     */
    public long publish(SoftSet soft, SoftSet referenced, Set<HintFlag> classes, long timeNanos) {
        checkSize(soft, "live soft set");
        if (referenced != null) {
            checkSize(referenced, "referenced set");
            if (!geometry.referenced().present()) {
                throw new HintAreaException("this area's geometry has no referenced section");
            }
        }
        // Encode first, so the odd (unreadable) window only covers copying bytes into the area.
        Encoded live = encode(geometry.live(), soft);
        Encoded ref = referenced == null ? null : encode(geometry.referenced(), referenced);
        EnumSet<HintFlag> flags = classFlags(classes);
        if (live.truncated() || (ref != null && ref.truncated())) {
            flags.add(HintFlag.TRUNCATED);
        }
        if (ref != null) {
            flags.add(HintFlag.REFERENCED);
        }
        AreaAccess.storeThenFence(area, HintAreaLayout.OFF_GEN, generation + 1);
        write(geometry.live(), HintAreaLayout.OFF_LIVE, live);
        if (ref != null) {
            write(geometry.referenced(), HintAreaLayout.OFF_REFERENCED, ref);
        }
        area.set(HintAreaLayout.U64_UNALIGNED, HintAreaLayout.OFF_LIVE_FLAGS, HintFlag.encode(flags));
        area.set(HintAreaLayout.U64_UNALIGNED, HintAreaLayout.OFF_LIVE_TIME_NS, timeNanos);
        generation += 2;
        AreaAccess.storeRelease(area, HintAreaLayout.OFF_GEN, generation);
        return generation;
    }

    /**
     * Starts a new handshake (sequence + 1, state REQUESTED) after seeing a request; supersedes any
     * handshake under way. Returns only once the word is visible, so the caller may start scanning.
     *
     * @return the new handshake's sequence number
     */
    public long request() {
        if (handshake.seq() == HandshakeWord.MAX_SEQ) {
            throw new HintAreaException("handshake sequence exhausted; re-initialise the area");
        }
        setHandshake(new HandshakeWord(handshake.seq() + 1, next(HandshakeEvent.REQUEST), HandshakeFailure.NONE));
        java.lang.invoke.VarHandle.fullFence();
        return handshake.seq();
    }

    /** REQUESTED → DROPPING: the guest now drops clean cache and scans; the final section is in flux. */
    public void startDropping() {
        setHandshake(new HandshakeWord(handshake.seq(), next(HandshakeEvent.START_DROP), HandshakeFailure.NONE));
    }

    /**
     * Writes the final soft set of the current handshake, then moves to FINAL_READY.
     *
     * @param finalSet pages the guest guarantees free (SPEC.md §5); size must equal the PFN count
     * @param classes  {@link HintFlag#FREE}, {@link HintFlag#CLEAN_CACHE} (cache dropped), {@link HintFlag#HELD};
     *                 TRUNCATED is set by the writer
     */
    public void publishFinal(SoftSet finalSet, Set<HintFlag> classes, long timeNanos) {
        checkSize(finalSet, "final soft set");
        HandshakeState to = next(HandshakeEvent.PUBLISH_FINAL);
        EnumSet<HintFlag> flags = classFlags(classes);
        if (classes.contains(HintFlag.HELD)) {
            flags.add(HintFlag.HELD);
        }
        Encoded encoded = encode(geometry.finalSet(), finalSet);
        if (encoded.truncated()) {
            flags.add(HintFlag.TRUNCATED);
        }
        write(geometry.finalSet(), HintAreaLayout.OFF_FINAL_SET, encoded);
        area.set(HintAreaLayout.U64_UNALIGNED, HintAreaLayout.OFF_FINAL_FLAGS, HintFlag.encode(flags));
        area.set(HintAreaLayout.U64_UNALIGNED, HintAreaLayout.OFF_FINAL_TIME_NS, timeNanos);
        setHandshake(new HandshakeWord(handshake.seq(), to, HandshakeFailure.NONE));
    }

    /** Ends the current handshake without a final set. */
    public void fail(HandshakeFailure reason) {
        if (reason == HandshakeFailure.UNKNOWN) {
            throw new IllegalArgumentException("UNKNOWN is not a reason a guest can give");
        }
        setHandshake(new HandshakeWord(handshake.seq(), next(HandshakeEvent.FAIL), reason));
    }

    /** Back to IDLE after taking back whatever the last handshake held (resume, hold timeout). */
    public void release() {
        setHandshake(new HandshakeWord(handshake.seq(), next(HandshakeEvent.RELEASE), HandshakeFailure.NONE));
    }

    private HandshakeState next(HandshakeEvent event) {
        return handshake.state().orElseThrow().next(event);
    }

    private void setHandshake(HandshakeWord word) {
        AreaAccess.storeRelease(area, HintAreaLayout.OFF_HANDSHAKE, word.encode());
        handshake = word;
    }

    /** A set ready to be copied into its section: the set itself (bitmap) or its extent pairs. */
    private record Encoded(SoftSet set, long[] extents, long count, boolean truncated) {
    }

    private static Encoded encode(SetPlacement p, SoftSet set) {
        if (p.encoding() == SetEncoding.BITMAP) {
            return new Encoded(set, null, set.cardinality(), false);
        }
        long runs = set.runCount();
        long[] extents = chooseExtents(set, runs, p.extentCapacity());
        return new Encoded(set, extents, extents.length / 2, extents.length / 2 < runs);
    }

    /** Copies an encoded set into its section and its count into the descriptor at {@code descAt}. */
    private void write(SetPlacement p, long descAt, Encoded e) {
        if (e.extents() == null) {
            MemorySegment.copy(e.set().internalWords(), 0, area, HintAreaLayout.U64_UNALIGNED, p.offset(), e.set().wordCount());
        } else {
            long[] x = e.extents();
            MemorySegment.copy(x, 0, area, HintAreaLayout.U64_UNALIGNED, p.offset(), x.length);
        }
        area.set(HintAreaLayout.U64_UNALIGNED, descAt + HintAreaLayout.DESC_COUNT, e.count());
    }

    /**
     * The set's runs as {start, len} pairs in ascending order; when there are more than {@code capacity},
     * the longest {@code capacity} runs (any subset of a soft set is a valid soft set, and long runs
     * carry the most pages per extent).
     */
    static long[] chooseExtents(SoftSet set, long runs, long capacity) {
        if (runs <= capacity) {
            long[] out = new long[(int) (2 * runs)];
            int[] i = {0};
            set.forEachRun((s, l) -> {
                out[i[0]++] = s;
                out[i[0]++] = l;
            });
            return out;
        }
        int keep = (int) capacity;
        // min-heap on length: the root is the shortest run kept so far
        PriorityQueue<long[]> heap = new PriorityQueue<>(keep + 1, (a, b) -> Long.compare(a[1], b[1]));
        set.forEachRun((s, l) -> {
            if (heap.size() < keep) {
                heap.add(new long[] {s, l});
            } else if (heap.peek()[1] < l) {
                heap.poll();
                heap.add(new long[] {s, l});
            }
        });
        long[][] kept = heap.toArray(new long[0][]);
        Arrays.sort(kept, (a, b) -> Long.compare(a[0], b[0]));
        long[] out = new long[2 * kept.length];
        for (int k = 0; k < kept.length; k++) {
            out[2 * k] = kept[k][0];
            out[2 * k + 1] = kept[k][1];
        }
        return out;
    }

    private void checkSize(SoftSet set, String what) {
        if (set.size() != geometry.pfnCount()) {
            throw new HintAreaException(what + " covers " + set.size() + " PFNs, the area covers " + geometry.pfnCount());
        }
    }

    private static EnumSet<HintFlag> classFlags(Set<HintFlag> classes) {
        EnumSet<HintFlag> flags = EnumSet.noneOf(HintFlag.class);
        if (classes.contains(HintFlag.FREE)) {
            flags.add(HintFlag.FREE);
        }
        if (classes.contains(HintFlag.CLEAN_CACHE)) {
            flags.add(HintFlag.CLEAN_CACHE);
        }
        return flags;
    }

    private static void putU32(MemorySegment s, long at, long value) {
        s.set(HintAreaLayout.U32.withByteAlignment(1), at, (int) value);
    }

    private static void putDescriptor(MemorySegment s, long at, SetPlacement p) {
        s.set(HintAreaLayout.U64_UNALIGNED, at + HintAreaLayout.DESC_OFFSET, p.offset());
        s.set(HintAreaLayout.U64_UNALIGNED, at + HintAreaLayout.DESC_CAPACITY, p.capacity());
        putU32(s, at + HintAreaLayout.DESC_ENCODING, p.encoding().code());
        s.set(HintAreaLayout.U64_UNALIGNED, at + HintAreaLayout.DESC_COUNT, 0L);
    }
}
