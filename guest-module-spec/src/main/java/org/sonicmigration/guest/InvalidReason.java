package org.sonicmigration.guest;

/**
 * Why a hint area (or one read of it) was rejected. Each malformed case has its own reason so that dom0
 * can say exactly what a guest got wrong; every one of them means "use no hint from this read".
 */
public enum InvalidReason {
    /** The mapped area is shorter than the header. */
    AREA_TOO_SMALL,
    BAD_MAGIC,
    /** A major version dom0 does not implement. */
    UNSUPPORTED_MAJOR,
    /** {@code header_size} below 256, above the page size, or not a multiple of 8. */
    BAD_HEADER_SIZE,
    /** {@code page_size} is not 4096. */
    BAD_PAGE_SIZE,
    /** {@code area_pages} is 0, above the limit, or more than was mapped. */
    BAD_AREA_SIZE,
    /** {@code pfn_count} is 0 or larger than the domain dom0 is migrating. */
    PFN_COUNT_MISMATCH,
    /** A section encoding this ABI minor does not know, on a set that is needed. */
    UNSUPPORTED_ENCODING,
    /** The set this read needs (live, or final) has no section. */
    SET_ABSENT,
    /** A section offset that is not a multiple of 8. */
    SECTION_MISALIGNED,
    /** A section outside the area or over the header. */
    SECTION_OUT_OF_BOUNDS,
    /** A section smaller than its encoding needs. */
    SECTION_TOO_SMALL,
    /** Two sections share bytes. */
    SECTIONS_OVERLAP,
    /** A bitmap whose population differs from its descriptor's count. */
    COUNT_MISMATCH,
    /** More extents claimed than the section can hold. */
    EXTENT_COUNT_OVER_CAPACITY,
    /** An empty extent, or one reaching past {@code pfn_count}. */
    EXTENT_OUT_OF_RANGE,
    /** Extents not in ascending order, or overlapping. */
    EXTENTS_UNSORTED,
    /** A handshake state byte this ABI does not define. */
    BAD_HANDSHAKE_STATE
}
