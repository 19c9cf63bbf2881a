package org.sonicmigration.sim.kernel;

/**
 * Packing of the one 64-bit metadata word the simulator keeps per frame: the kernel state, what the content
 * is made of, and an LRU-membership bit. Keeping both in one word means a reader sees state and content of
 * one moment, and the seeded store needs nothing else per page.
 *
 * <pre>
 * bits 63..59  PageState ordinal
 * bits 58..57  content kind: ZERO, GENERIC (per-pfn seed + version), FILE (file id, page offset, version),
 *              EXPLICIT (bytes written verbatim, held by the store)
 * bit  56      on the page-cache LRU list
 * bits 55..0   GENERIC: version; FILE: file id (24 bits) | page offset (23 bits) | version (9 bits)
 * </pre>
 */
final class Meta {
    static final int ZERO = 0;
    static final int GENERIC = 1;
    static final int FILE = 2;
    static final int EXPLICIT = 3;

    static final long MAX_FILE_ID = (1L << 24) - 1;
    static final long MAX_FILE_PAGES = 1L << 23;
    static final int FILE_VERSION_MASK = (1 << 9) - 1;
    static final long MAX_GENERIC_VERSION = (1L << 56) - 1;

    private static final long LRU_BIT = 1L << 56;
    private static final long PAYLOAD = (1L << 56) - 1;

    private Meta() {
    }

    static long of(PageState s, int kind, long payload) {
        return ((long) s.ordinal() << 59) | ((long) kind << 57) | (payload & PAYLOAD);
    }

    static PageState state(long m) {
        return PageState.ofOrdinal((int) (m >>> 59));
    }

    static int kind(long m) {
        return (int) (m >>> 57) & 3;
    }

    static long payload(long m) {
        return m & PAYLOAD;
    }

    static boolean onLru(long m) {
        return (m & LRU_BIT) != 0;
    }

    static long withLru(long m, boolean on) {
        return on ? m | LRU_BIT : m & ~LRU_BIT;
    }

    static long withState(long m, PageState s) {
        return (m & ~(0x1FL << 59)) | ((long) s.ordinal() << 59);
    }

    static long filePayload(long fileId, long offset, int version) {
        return (fileId << 32) | (offset << 9) | (version & FILE_VERSION_MASK);
    }

    static long fileId(long m) {
        return (m >>> 32) & MAX_FILE_ID;
    }

    static long fileOffset(long m) {
        return (m >>> 9) & (MAX_FILE_PAGES - 1);
    }

    static int fileVersion(long m) {
        return (int) (m & FILE_VERSION_MASK);
    }
}
