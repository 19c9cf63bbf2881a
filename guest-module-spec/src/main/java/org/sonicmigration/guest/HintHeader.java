package org.sonicmigration.guest;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A decoded {@code struct sonic_hint_header}, field for field, without any validation: decoding never
 * fails on content, only {@link HintAreaReader} decides whether the values make sense. Unsigned 32-bit
 * fields are widened to {@code long}; unsigned 64-bit fields stay raw.
 */
public record HintHeader(
        long magic,
        int abiMajor,
        int abiMinor,
        long headerSize,
        long pageSize,
        long areaPages,
        long pfnCount,
        long publishPeriodMillis,
        long holdTimeoutMillis,
        long generation,
        long liveFlags,
        long liveTimeNanos,
        HandshakeWord handshake,
        long finalFlags,
        long finalTimeNanos,
        SetDescriptor live,
        SetDescriptor finalSet,
        SetDescriptor referenced) {

    private static final ValueLayout.OfInt U32 = HintAreaLayout.U32.withByteAlignment(1);
    private static final ValueLayout.OfShort U16 = HintAreaLayout.U16.withByteAlignment(1);

    /**
     * Decodes the first {@link HintAreaLayout#HEADER_SIZE} bytes of {@code segment}.
     *
     * @throws IllegalArgumentException if the segment is shorter than the header
     */
    public static HintHeader decode(MemorySegment segment) {
        if (segment.byteSize() < HintAreaLayout.HEADER_SIZE) {
            throw new IllegalArgumentException("hint area of " + segment.byteSize() + " bytes is shorter than its "
                    + HintAreaLayout.HEADER_SIZE + "-byte header");
        }
        return new HintHeader(
                u64(segment, HintAreaLayout.OFF_MAGIC),
                Short.toUnsignedInt(segment.get(U16, HintAreaLayout.OFF_ABI_MAJOR)),
                Short.toUnsignedInt(segment.get(U16, HintAreaLayout.OFF_ABI_MINOR)),
                u32(segment, HintAreaLayout.OFF_HEADER_SIZE),
                u32(segment, HintAreaLayout.OFF_PAGE_SIZE),
                u32(segment, HintAreaLayout.OFF_AREA_PAGES),
                u64(segment, HintAreaLayout.OFF_PFN_COUNT),
                u32(segment, HintAreaLayout.OFF_PUBLISH_PERIOD_MS),
                u32(segment, HintAreaLayout.OFF_HOLD_TIMEOUT_MS),
                u64(segment, HintAreaLayout.OFF_GEN),
                u64(segment, HintAreaLayout.OFF_LIVE_FLAGS),
                u64(segment, HintAreaLayout.OFF_LIVE_TIME_NS),
                HandshakeWord.decode(u64(segment, HintAreaLayout.OFF_HANDSHAKE)),
                u64(segment, HintAreaLayout.OFF_FINAL_FLAGS),
                u64(segment, HintAreaLayout.OFF_FINAL_TIME_NS),
                SetDescriptor.decode(segment, HintAreaLayout.OFF_LIVE),
                SetDescriptor.decode(segment, HintAreaLayout.OFF_FINAL_SET),
                SetDescriptor.decode(segment, HintAreaLayout.OFF_REFERENCED));
    }

    /** Bytes the header claims for the whole area ({@code area_pages * page_size}). */
    public long claimedAreaBytes() {
        return areaPages * pageSize;
    }

    private static long u64(MemorySegment s, long at) {
        return s.get(HintAreaLayout.U64_UNALIGNED, at);
    }

    private static long u32(MemorySegment s, long at) {
        return Integer.toUnsignedLong(s.get(U32, at));
    }
}
