package org.sonicmigration.guest;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The hint area's binary layout (ABI 1.0) as {@link MemoryLayout} constants, field for field the C
 * structs of {@code include/sonic_hint.h} (member names equal C field names, which the conformance test
 * uses to generate C {@code _Static_assert}s), plus the ABI's constants and limits. Every offset the
 * codec uses is derived from these layouts, so a wrong layout cannot hide behind a hand-written number.
 */
public final class HintAreaLayout {

    /** Byte order of every field and of bitmap words. */
    public static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG.withOrder(ORDER);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT.withOrder(ORDER);
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT.withOrder(ORDER);
    /** Little-endian 64-bit word at any alignment: used for bulk copies and on heap segments. */
    static final ValueLayout.OfLong U64_UNALIGNED = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ORDER);

    /** {@code struct sonic_set_desc}: where one PFN set lives and how many entries it holds. */
    public static final StructLayout SET_DESCRIPTOR = MemoryLayout.structLayout(
            U64.withName("offset"),
            U64.withName("capacity"),
            U32.withName("encoding"),
            U32.withName("reserved"),
            U64.withName("count")).withName("sonic_set_desc");

    /** {@code struct sonic_extent}: PFNs {@code [start, start + len)}. */
    public static final StructLayout EXTENT = MemoryLayout.structLayout(
            U64.withName("start"),
            U64.withName("len")).withName("sonic_extent");

    /** {@code struct sonic_hint_header}, at offset 0 of the area. */
    public static final StructLayout HEADER = MemoryLayout.structLayout(
            U64.withName("magic"),
            U16.withName("abi_major"),
            U16.withName("abi_minor"),
            U32.withName("header_size"),
            U32.withName("page_size"),
            U32.withName("area_pages"),
            U64.withName("pfn_count"),
            U32.withName("publish_period_ms"),
            U32.withName("hold_timeout_ms"),
            U64.withName("gen"),
            U64.withName("live_flags"),
            U64.withName("live_time_ns"),
            U64.withName("handshake"),
            U64.withName("final_flags"),
            U64.withName("final_time_ns"),
            MemoryLayout.sequenceLayout(5, U64).withName("reserved0"),
            SET_DESCRIPTOR.withName("live"),
            SET_DESCRIPTOR.withName("final_set"),
            SET_DESCRIPTOR.withName("referenced"),
            MemoryLayout.sequenceLayout(4, U64).withName("reserved1")).withName("sonic_hint_header");

    /** The bytes "SONICHNT" as a little-endian word. */
    public static final long MAGIC = 0x544E4843494E4F53L;
    public static final int ABI_MAJOR = 1;
    /** 1.1: the live hint on demand (SPEC §4.4); the area itself is 1.0's. */
    public static final int ABI_MINOR = 1;
    public static final int HEADER_SIZE = (int) HEADER.byteSize();
    public static final int PAGE_SIZE = 4096;
    /** Dom0 refuses areas larger than this (64 MiB). */
    public static final int MAX_AREA_PAGES = 16384;
    public static final int MAX_DIR_PAGES = 16;
    public static final int REFS_PER_DIR_PAGE = PAGE_SIZE / 4;
    /** Largest PFN count the ABI (and {@link SoftSet}) supports: 256 TiB of 4 KiB frames. */
    public static final long MAX_PFN_COUNT = 1L << 36;
    public static final long EXTENT_SIZE = EXTENT.byteSize();

    public static final long OFF_MAGIC = offset("magic");
    public static final long OFF_ABI_MAJOR = offset("abi_major");
    public static final long OFF_ABI_MINOR = offset("abi_minor");
    public static final long OFF_HEADER_SIZE = offset("header_size");
    public static final long OFF_PAGE_SIZE = offset("page_size");
    public static final long OFF_AREA_PAGES = offset("area_pages");
    public static final long OFF_PFN_COUNT = offset("pfn_count");
    public static final long OFF_PUBLISH_PERIOD_MS = offset("publish_period_ms");
    public static final long OFF_HOLD_TIMEOUT_MS = offset("hold_timeout_ms");
    public static final long OFF_GEN = offset("gen");
    public static final long OFF_LIVE_FLAGS = offset("live_flags");
    public static final long OFF_LIVE_TIME_NS = offset("live_time_ns");
    public static final long OFF_HANDSHAKE = offset("handshake");
    public static final long OFF_FINAL_FLAGS = offset("final_flags");
    public static final long OFF_FINAL_TIME_NS = offset("final_time_ns");
    public static final long OFF_LIVE = offset("live");
    public static final long OFF_FINAL_SET = offset("final_set");
    public static final long OFF_REFERENCED = offset("referenced");

    /** Offsets inside a {@link #SET_DESCRIPTOR}. */
    public static final long DESC_OFFSET = SET_DESCRIPTOR.byteOffset(PathElement.groupElement("offset"));
    public static final long DESC_CAPACITY = SET_DESCRIPTOR.byteOffset(PathElement.groupElement("capacity"));
    public static final long DESC_ENCODING = SET_DESCRIPTOR.byteOffset(PathElement.groupElement("encoding"));
    public static final long DESC_COUNT = SET_DESCRIPTOR.byteOffset(PathElement.groupElement("count"));
    /** Offsets inside an {@link #EXTENT}. */
    public static final long EXTENT_START = EXTENT.byteOffset(PathElement.groupElement("start"));
    public static final long EXTENT_LEN = EXTENT.byteOffset(PathElement.groupElement("len"));

    private HintAreaLayout() {
    }

    private static long offset(String field) {
        return HEADER.byteOffset(PathElement.groupElement(field));
    }

    /** Bytes of a bitmap covering {@code pfnCount} PFNs: whole 64-bit words. */
    public static long bitmapBytes(long pfnCount) {
        return ((pfnCount + 63) >>> 6) << 3;
    }
}
