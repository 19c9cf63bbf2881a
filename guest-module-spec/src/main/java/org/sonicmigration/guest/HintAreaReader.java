package org.sonicmigration.guest;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * Dom0's side of the hint area: takes consistent copies of an area the guest rewrites at any moment and
 * may have filled with anything. It never throws on content and never trusts a length from the area:
 * every result is a {@link HintSnapshot} or {@link FinalRead}, the work per call is bounded by the
 * {@link RetryPolicy} and the mapped size, and the memory it allocates per call is bounded by
 * {@link #allocationBoundBytes()}, which depends only on the PFN count dom0 expects.
 *
 * <p>Stateless and thread-safe; each call allocates its own buffers and hands them to the result.
 */
public final class HintAreaReader {

    private final long expectedPfns;
    private final RetryPolicy retry;

    /** A reader for a domain of {@code expectedPfns} PFNs with {@link RetryPolicy#DEFAULT}. */
    public HintAreaReader(long expectedPfns) {
        this(expectedPfns, RetryPolicy.DEFAULT);
    }

    public HintAreaReader(long expectedPfns, RetryPolicy retry) {
        if (expectedPfns < 1 || expectedPfns > HintAreaLayout.MAX_PFN_COUNT) {
            throw new IllegalArgumentException("expected PFN count out of range 1.." + HintAreaLayout.MAX_PFN_COUNT + ": " + expectedPfns);
        }
        this.expectedPfns = expectedPfns;
        this.retry = retry;
    }

    public long expectedPfns() {
        return expectedPfns;
    }

    /**
     * The most one call allocates, whatever the area says: two bitmaps of the expected domain (soft and
     * referenced) plus a header copy. Small per-call objects (records, messages) come on top.
     */
    public long allocationBoundBytes() {
        return 2L * Long.BYTES * SoftSet.wordsFor(expectedPfns) + HintAreaLayout.HEADER_SIZE;
    }

    /** Reads the live soft set (and the referenced set when published) under the seqlock. */
    public HintSnapshot read(MemorySegment area) {
        if (area.byteSize() < HintAreaLayout.HEADER_SIZE) {
            return new HintSnapshot.Invalid(InvalidReason.AREA_TOO_SMALL, tooSmall(area));
        }
        MemorySegment header = newHeaderBuffer();
        long[] soft = null;
        long[] referenced = null;
        long lastGen = 0;
        for (int attempt = 1; attempt <= retry.maxAttempts(); attempt++) {
            pause(attempt);
            long g1 = AreaAccess.loadAcquire(area, HintAreaLayout.OFF_GEN);
            lastGen = g1;
            if ((g1 & 1) != 0) {
                continue;
            }
            MemorySegment.copy(area, 0, header, 0, HintAreaLayout.HEADER_SIZE);
            HintHeader h = HintHeader.decode(header);
            Problem structural = checkStructure(h, area.byteSize());
            if (structural != null) {
                return new HintSnapshot.Invalid(structural.reason, structural.detail);
            }
            Optional<SetEncoding> liveEnc = h.live().encoding();
            if (!h.live().present()) {
                return new HintSnapshot.Invalid(InvalidReason.SET_ABSENT, "the area has no live soft set section");
            }
            if (liveEnc.isEmpty()) {
                return new HintSnapshot.Invalid(InvalidReason.UNSUPPORTED_ENCODING,
                        "live soft set has unknown encoding " + h.live().encodingCode());
            }
            if (soft == null) {
                soft = new long[SoftSet.wordsFor(expectedPfns)];
            }
            Problem liveProblem = copySet(area, h.pfnCount(), h.live(), liveEnc.get(), soft, "live soft set");
            Optional<SetEncoding> refEnc = h.referenced().encoding();
            boolean withReferenced = (h.liveFlags() & HintFlag.REFERENCED.mask()) != 0
                    && h.referenced().present() && refEnc.isPresent();
            Problem refProblem = null;
            if (withReferenced) {
                if (referenced == null) {
                    referenced = new long[soft.length];
                }
                refProblem = copySet(area, h.pfnCount(), h.referenced(), refEnc.get(), referenced, "referenced set");
            }
            long g2 = AreaAccess.loadAfterCopy(area, HintAreaLayout.OFF_GEN);
            if (g2 != g1) {
                lastGen = g2;
                continue;
            }
            if (liveProblem != null) {
                return new HintSnapshot.Invalid(liveProblem.reason, liveProblem.detail);
            }
            if (refProblem != null) {
                return new HintSnapshot.Invalid(refProblem.reason, refProblem.detail);
            }
            Optional<SoftSet> refSet = Optional.empty();
            if (withReferenced) {
                // Referenced bits only qualify soft pages; anything else the guest set there means nothing.
                for (int i = 0; i < referenced.length; i++) {
                    referenced[i] &= soft[i];
                }
                refSet = Optional.of(SoftSet.adopt(expectedPfns, referenced));
            }
            return new HintSnapshot.Valid(g1, SoftSet.adopt(expectedPfns, soft), refSet, HintFlag.decode(h.liveFlags()),
                    h.liveTimeNanos(), h.publishPeriodMillis());
        }
        return new HintSnapshot.Torn(retry.maxAttempts(), lastGen);
    }

    /**
     * Reads the handshake word just before dom0 notifies the guest. Call it after the last live
     * fetch-and-clean of the dirty log and before {@code notifyGuest()}: only handshakes numbered above
     * the ticket's will be accepted by {@link #readFinal}.
     */
    public HandshakeTicket beginHandshake(MemorySegment area) {
        if (area.byteSize() < HintAreaLayout.HEADER_SIZE) {
            return new HandshakeTicket(HandshakeWord.decode(0));
        }
        // Nothing dom0 did before (the fetch-and-clean) may be ordered after this load.
        java.lang.invoke.VarHandle.fullFence();
        return new HandshakeTicket(HandshakeWord.decode(AreaAccess.loadAcquire(area, HintAreaLayout.OFF_HANDSHAKE)));
    }

    /** Reads the guest's answer to the request made after {@code ticket} was taken. */
    public FinalRead readFinal(MemorySegment area, HandshakeTicket ticket) {
        if (area.byteSize() < HintAreaLayout.HEADER_SIZE) {
            return new FinalRead.Invalid(InvalidReason.AREA_TOO_SMALL, tooSmall(area));
        }
        MemorySegment header = newHeaderBuffer();
        long[] words = null;
        for (int attempt = 1; attempt <= retry.maxAttempts(); attempt++) {
            pause(attempt);
            long w1 = AreaAccess.loadAcquire(area, HintAreaLayout.OFF_HANDSHAKE);
            HandshakeWord word = HandshakeWord.decode(w1);
            Optional<HandshakeState> state = word.state();
            if (state.isEmpty()) {
                return new FinalRead.Invalid(InvalidReason.BAD_HANDSHAKE_STATE, "handshake state byte " + word.stateCode() + " is undefined");
            }
            if (!ticket.answeredBy(word.seq())) {
                return new FinalRead.Pending(word);
            }
            switch (state.get()) {
                case REQUESTED, DROPPING -> {
                    return new FinalRead.Pending(word);
                }
                case FAILED -> {
                    return new FinalRead.Failed(word.seq(), word.reason());
                }
                case IDLE -> {
                    return new FinalRead.Released(word.seq());
                }
                case FINAL_READY -> {
                    // copied below
                }
            }
            MemorySegment.copy(area, 0, header, 0, HintAreaLayout.HEADER_SIZE);
            HintHeader h = HintHeader.decode(header);
            Problem structural = checkStructure(h, area.byteSize());
            if (structural != null) {
                return new FinalRead.Invalid(structural.reason, structural.detail);
            }
            if (!h.finalSet().present()) {
                return new FinalRead.Invalid(InvalidReason.SET_ABSENT, "the area has no final soft set section");
            }
            Optional<SetEncoding> enc = h.finalSet().encoding();
            if (enc.isEmpty()) {
                return new FinalRead.Invalid(InvalidReason.UNSUPPORTED_ENCODING,
                        "final soft set has unknown encoding " + h.finalSet().encodingCode());
            }
            if (words == null) {
                words = new long[SoftSet.wordsFor(expectedPfns)];
            }
            Problem problem = copySet(area, h.pfnCount(), h.finalSet(), enc.get(), words, "final soft set");
            long w2 = AreaAccess.loadAfterCopy(area, HintAreaLayout.OFF_HANDSHAKE);
            if (w2 != w1) {
                continue;
            }
            if (problem != null) {
                return new FinalRead.Invalid(problem.reason, problem.detail);
            }
            return new FinalRead.Ready(word.seq(), SoftSet.adopt(expectedPfns, words), HintFlag.decode(h.finalFlags()),
                    h.finalTimeNanos());
        }
        return new FinalRead.Torn(retry.maxAttempts());
    }

    /**
     * Checks the static part of a header copy against the ABI, the mapped size and the expected domain.
     *
     * @return the first problem found, or null
     */
    Problem checkStructure(HintHeader h, long mappedBytes) {
        if (h.magic() != HintAreaLayout.MAGIC) {
            return new Problem(InvalidReason.BAD_MAGIC, String.format("magic 0x%016x is not 0x%016x", h.magic(), HintAreaLayout.MAGIC));
        }
        if (h.abiMajor() != HintAreaLayout.ABI_MAJOR) {
            return new Problem(InvalidReason.UNSUPPORTED_MAJOR,
                    "ABI " + h.abiMajor() + "." + h.abiMinor() + " has a major other than " + HintAreaLayout.ABI_MAJOR);
        }
        if (h.pageSize() != HintAreaLayout.PAGE_SIZE) {
            return new Problem(InvalidReason.BAD_PAGE_SIZE, "page size " + h.pageSize() + " is not " + HintAreaLayout.PAGE_SIZE);
        }
        if (h.headerSize() < HintAreaLayout.HEADER_SIZE || h.headerSize() > HintAreaLayout.PAGE_SIZE || h.headerSize() % 8 != 0) {
            return new Problem(InvalidReason.BAD_HEADER_SIZE, "header size " + h.headerSize() + " is not a multiple of 8 in "
                    + HintAreaLayout.HEADER_SIZE + ".." + HintAreaLayout.PAGE_SIZE);
        }
        long areaBytes = h.claimedAreaBytes();
        if (h.areaPages() < 1 || h.areaPages() > HintAreaLayout.MAX_AREA_PAGES || areaBytes > mappedBytes) {
            return new Problem(InvalidReason.BAD_AREA_SIZE, "area of " + h.areaPages() + " pages is outside 1.."
                    + HintAreaLayout.MAX_AREA_PAGES + " or beyond the " + mappedBytes + " bytes mapped");
        }
        if (h.pfnCount() < 1 || Long.compareUnsigned(h.pfnCount(), expectedPfns) > 0) {
            return new Problem(InvalidReason.PFN_COUNT_MISMATCH, "area covers " + Long.toUnsignedString(h.pfnCount())
                    + " PFNs, the domain has " + expectedPfns);
        }
        SetDescriptor[] sets = {h.live(), h.finalSet(), h.referenced()};
        String[] names = {"live soft set", "final soft set", "referenced set"};
        for (int i = 0; i < sets.length; i++) {
            Problem p = checkSection(sets[i], names[i], h, areaBytes);
            if (p != null) {
                return p;
            }
        }
        for (int i = 0; i < sets.length; i++) {
            for (int j = i + 1; j < sets.length; j++) {
                if (checked(sets[i]) && checked(sets[j])
                        && sets[i].offset() < sets[j].offset() + sets[j].capacity()
                        && sets[j].offset() < sets[i].offset() + sets[i].capacity()) {
                    return new Problem(InvalidReason.SECTIONS_OVERLAP, names[i] + " [" + sets[i].offset() + ", +" + sets[i].capacity()
                            + ") overlaps " + names[j] + " [" + sets[j].offset() + ", +" + sets[j].capacity() + ")");
                }
            }
        }
        return null;
    }

    /** Sections with an encoding this minor knows are checked; unknown ones are ignored until a read needs them. */
    private static boolean checked(SetDescriptor d) {
        return d.present() && d.encoding().isPresent();
    }

    private static Problem checkSection(SetDescriptor d, String name, HintHeader h, long areaBytes) {
        if (!checked(d)) {
            return null;
        }
        if (d.offset() % 8 != 0) {
            return new Problem(InvalidReason.SECTION_MISALIGNED, name + " offset " + Long.toUnsignedString(d.offset()) + " is not 8-byte aligned");
        }
        if (Long.compareUnsigned(d.offset(), h.headerSize()) < 0 || Long.compareUnsigned(d.offset(), areaBytes) > 0
                || Long.compareUnsigned(d.capacity(), areaBytes - d.offset()) > 0) {
            return new Problem(InvalidReason.SECTION_OUT_OF_BOUNDS, name + " [" + Long.toUnsignedString(d.offset()) + ", +"
                    + Long.toUnsignedString(d.capacity()) + ") is not inside the area after its " + h.headerSize() + "-byte header");
        }
        boolean tooSmall = switch (d.encoding().orElseThrow()) {
            case BITMAP -> d.capacity() < HintAreaLayout.bitmapBytes(h.pfnCount());
            case EXTENTS -> d.capacity() < HintAreaLayout.EXTENT_SIZE || d.capacity() % HintAreaLayout.EXTENT_SIZE != 0;
            case ABSENT -> false;
        };
        if (tooSmall) {
            return new Problem(InvalidReason.SECTION_TOO_SMALL, name + " section of " + d.capacity() + " bytes is too small for its "
                    + d.encoding().orElseThrow() + " encoding of " + h.pfnCount() + " PFNs");
        }
        return null;
    }

    /**
     * Copies one set from the live area into {@code words} (sized for the expected domain). Runs inside
     * the caller's consistency window, so a problem is only reported once the window proved stable.
     * Bounds were checked by {@link #checkStructure}; {@code pfnCount <= words.length * 64}.
     */
    private static Problem copySet(MemorySegment area, long pfnCount, SetDescriptor d, SetEncoding enc, long[] words, String name) {
        Arrays.fill(words, 0L);
        return switch (enc) {
            case BITMAP -> copyBitmap(area, pfnCount, d, words, name);
            case EXTENTS -> copyExtents(area, pfnCount, d, words, name);
            case ABSENT -> null;
        };
    }

    private static Problem copyBitmap(MemorySegment area, long pfnCount, SetDescriptor d, long[] words, String name) {
        int n = SoftSet.wordsFor(pfnCount);
        MemorySegment.copy(area, HintAreaLayout.U64_UNALIGNED, d.offset(), words, 0, n);
        SoftSet.clearTail(pfnCount, words);
        long population = 0;
        for (int i = 0; i < n; i++) {
            population += Long.bitCount(words[i]);
        }
        if (population != d.count()) {
            return new Problem(InvalidReason.COUNT_MISMATCH, name + " bitmap has " + population + " bits set, its count says "
                    + Long.toUnsignedString(d.count()));
        }
        return null;
    }

    private static Problem copyExtents(MemorySegment area, long pfnCount, SetDescriptor d, long[] words, String name) {
        long capacity = d.capacity() / HintAreaLayout.EXTENT_SIZE;
        if (Long.compareUnsigned(d.count(), capacity) > 0) {
            return new Problem(InvalidReason.EXTENT_COUNT_OVER_CAPACITY, name + " claims " + Long.toUnsignedString(d.count())
                    + " extents, its section holds " + capacity);
        }
        long prevEnd = 0;
        long at = d.offset();
        for (long i = 0; i < d.count(); i++, at += HintAreaLayout.EXTENT_SIZE) {
            long start = area.get(HintAreaLayout.U64_UNALIGNED, at + HintAreaLayout.EXTENT_START);
            long len = area.get(HintAreaLayout.U64_UNALIGNED, at + HintAreaLayout.EXTENT_LEN);
            if (len == 0 || Long.compareUnsigned(start, pfnCount) >= 0 || Long.compareUnsigned(len, pfnCount - start) > 0) {
                return new Problem(InvalidReason.EXTENT_OUT_OF_RANGE, name + " extent " + i + " [" + Long.toUnsignedString(start) + ", +"
                        + Long.toUnsignedString(len) + ") is empty or reaches past " + pfnCount + " PFNs");
            }
            if (start < prevEnd) {
                return new Problem(InvalidReason.EXTENTS_UNSORTED, name + " extent " + i + " starts at " + start
                        + ", before the previous one ends at " + prevEnd);
            }
            SoftSet.setRangeUnchecked(words, start, start + len);
            prevEnd = start + len;
        }
        return null;
    }

    private void pause(int attempt) {
        long ns = retry.backoffNanos(attempt);
        if (ns > 0) {
            LockSupport.parkNanos(ns);
        } else if (attempt > 1) {
            Thread.onSpinWait();
        }
    }

    /** A header-sized buffer with 8-byte alignment (a long[] heap segment). */
    private static MemorySegment newHeaderBuffer() {
        return MemorySegment.ofArray(new long[HintAreaLayout.HEADER_SIZE / Long.BYTES]);
    }

    private static String tooSmall(MemorySegment area) {
        return "mapped area of " + area.byteSize() + " bytes is shorter than the " + HintAreaLayout.HEADER_SIZE + "-byte header";
    }

    /** One ABI violation: its reason and a one-line explanation. */
    record Problem(InvalidReason reason, String detail) {
    }
}
