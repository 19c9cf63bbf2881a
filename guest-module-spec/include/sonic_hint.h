/*
 * sonic_hint.h - SonicMigration hint area, ABI 1.0.
 *
 * The exact layout of the soft-page hint area a guest shares read-only with dom0, its constants, and
 * the inline helpers both sides use (seqlock, handshake word, bitmap). SPEC.md beside this directory
 * is the normative text; this header is its machine-checked form: every size and offset below is
 * asserted at compile time, and the Java codec is checked against these assertions by its tests.
 *
 * Usable from a Linux kernel module (define nothing: __KERNEL__ is set by kbuild) and from user space
 * (C11 or later, GCC or Clang). ABI 1.0 is little-endian and needs single-copy-atomic aligned 64-bit
 * loads and stores, i.e. a 64-bit little-endian guest (x86_64, arm64).
 */
#ifndef SONIC_HINT_H
#define SONIC_HINT_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/stddef.h>
#include <linux/compiler.h>
#include <asm/barrier.h>
#include <asm/byteorder.h>
#ifdef __BIG_ENDIAN
#error "SonicMigration hint ABI 1.x is little-endian only"
#endif
#else
#include <stdint.h>
#include <stddef.h>
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "SonicMigration hint ABI 1.x is little-endian only"
#endif
#endif

/* ---- identity and limits ------------------------------------------------------------------- */

/* The bytes "SONICHNT" read as a little-endian 64-bit word. */
#define SONIC_HINT_MAGIC        0x544E4843494E4F53ULL
#define SONIC_ABI_MAJOR         1
#define SONIC_ABI_MINOR         1        /* 1.1: on-demand live publication (SPEC 4.4) */

#define SONIC_HEADER_SIZE       256u     /* struct sonic_hint_header; header_size may be larger in later minors */
#define SONIC_PAGE_SIZE         4096u    /* Xen grant granularity; the only page size of ABI 1.x */
#define SONIC_MAX_AREA_PAGES    16384u   /* 64 MiB: dom0 refuses larger areas */
#define SONIC_MAX_DIR_PAGES     16u      /* grant-reference directory pages (16 x 1024 refs) */
#define SONIC_REFS_PER_DIR_PAGE 1024u    /* little-endian uint32_t grant refs per directory page */
#define SONIC_MAX_PFN_COUNT     (1ULL << 36)  /* 256 TiB of 4 KiB frames */

/* ---- section encodings (struct sonic_set_desc.encoding) ------------------------------------ */

#define SONIC_ENC_ABSENT        0u  /* no section */
#define SONIC_ENC_BITMAP        1u  /* 1 bit per PFN: bit (pfn % 64) of little-endian word (pfn / 64) */
#define SONIC_ENC_EXTENTS       2u  /* sorted, disjoint struct sonic_extent[count] */

/* ---- flags (live_flags and final_flags; unknown bits are ignored by readers) ---------------- */

#define SONIC_FLAG_FREE         (1ULL << 0)  /* free (buddy) pages are included */
#define SONIC_FLAG_CLEAN_CACHE  (1ULL << 1)  /* live: clean unmapped page cache included;
                                                final: clean cache was dropped before the scan */
#define SONIC_FLAG_TRUNCATED    (1ULL << 2)  /* the set is a subset: the section was too small */
#define SONIC_FLAG_REFERENCED   (1ULL << 3)  /* live only: the referenced section is valid */
#define SONIC_FLAG_HELD         (1ULL << 4)  /* final only: every page of the set is held by the guest */

/* ---- suspend handshake ----------------------------------------------------------------------- */

#define SONIC_HS_IDLE           0u  /* nothing requested, nothing held */
#define SONIC_HS_REQUESTED      1u  /* the guest saw a request and started handshake <seq> */
#define SONIC_HS_DROPPING       2u  /* dropping clean cache and scanning; final section in flux */
#define SONIC_HS_FINAL_READY    3u  /* final section valid for handshake <seq> */
#define SONIC_HS_FAILED         4u  /* handshake <seq> ended without a final set; reason says why */

#define SONIC_FAIL_NONE         0u
#define SONIC_FAIL_TIMEOUT      1u  /* the guest's time budget ran out */
#define SONIC_FAIL_NO_MEMORY    2u
#define SONIC_FAIL_DISABLED     3u  /* switched off by the guest administrator, or unloading */
#define SONIC_FAIL_INTERNAL     4u

/* handshake word: bits 0-7 state, 8-15 failure reason, 16-31 zero, 32-63 handshake sequence */
#define SONIC_HS_WORD(seq, state, reason) \
	(((uint64_t)(uint32_t)(seq) << 32) | ((uint64_t)((reason) & 0xffu) << 8) | (uint64_t)((state) & 0xffu))
#define SONIC_HS_STATE(w)       ((uint32_t)((w) & 0xffu))
#define SONIC_HS_REASON(w)      ((uint32_t)(((w) >> 8) & 0xffu))
#define SONIC_HS_SEQ(w)         ((uint32_t)((w) >> 32))

/* ---- layout ------------------------------------------------------------------------------------ */

/* Where one PFN set lives inside the area. offset/capacity/encoding are fixed at initialisation;
 * count is rewritten with each publication of the set. */
struct sonic_set_desc {
	uint64_t offset;    /* from the start of the area; multiple of 8; >= header_size */
	uint64_t capacity;  /* bytes reserved; BITMAP: >= 8*ceil(pfn_count/64); EXTENTS: multiple of 16 */
	uint32_t encoding;  /* SONIC_ENC_* */
	uint32_t reserved;  /* zero */
	uint64_t count;     /* BITMAP: number of set bits below pfn_count; EXTENTS: extents in use */
};

/* PFNs [start, start + len). */
struct sonic_extent {
	uint64_t start;
	uint64_t len;       /* >= 1 */
};

struct sonic_hint_header {
	/* static: written before the area is advertised, never changed while it is shared */
	uint64_t magic;               /* SONIC_HINT_MAGIC */
	uint16_t abi_major;           /* SONIC_ABI_MAJOR */
	uint16_t abi_minor;           /* SONIC_ABI_MINOR */
	uint32_t header_size;         /* >= SONIC_HEADER_SIZE, multiple of 8, <= page_size */
	uint32_t page_size;           /* SONIC_PAGE_SIZE */
	uint32_t area_pages;          /* pages of the whole area, header page included */
	uint64_t pfn_count;           /* PFNs covered: 0 .. pfn_count-1 (the guest's max_pfn + 1) */
	uint32_t publish_period_ms;   /* how often the live set is republished; 0 = unknown */
	uint32_t hold_timeout_ms;     /* how long a final set is held without a suspend */

	/* live hint, under the seqlock <gen> */
	uint64_t gen;                 /* odd while the live set is being rewritten */
	uint64_t live_flags;          /* SONIC_FLAG_* */
	uint64_t live_time_ns;        /* guest monotonic clock at the publication */

	/* suspend handshake: one atomic word; the final_* fields belong to its <seq> */
	uint64_t handshake;           /* SONIC_HS_WORD(seq, state, reason) */
	uint64_t final_flags;         /* SONIC_FLAG_* */
	uint64_t final_time_ns;       /* guest monotonic clock when the final set was published */

	uint64_t reserved0[5];        /* zero */

	struct sonic_set_desc live;        /* live soft set (required) */
	struct sonic_set_desc final_set;   /* final soft set (required for the handshake) */
	struct sonic_set_desc referenced;  /* recently referenced soft pages (optional) */

	uint64_t reserved1[4];        /* zero */
};

_Static_assert(sizeof(struct sonic_set_desc) == 32, "sonic_set_desc size");
_Static_assert(offsetof(struct sonic_set_desc, offset) == 0, "sonic_set_desc.offset");
_Static_assert(offsetof(struct sonic_set_desc, capacity) == 8, "sonic_set_desc.capacity");
_Static_assert(offsetof(struct sonic_set_desc, encoding) == 16, "sonic_set_desc.encoding");
_Static_assert(offsetof(struct sonic_set_desc, reserved) == 20, "sonic_set_desc.reserved");
_Static_assert(offsetof(struct sonic_set_desc, count) == 24, "sonic_set_desc.count");

_Static_assert(sizeof(struct sonic_extent) == 16, "sonic_extent size");
_Static_assert(offsetof(struct sonic_extent, start) == 0, "sonic_extent.start");
_Static_assert(offsetof(struct sonic_extent, len) == 8, "sonic_extent.len");

_Static_assert(sizeof(struct sonic_hint_header) == SONIC_HEADER_SIZE, "sonic_hint_header size");
_Static_assert(offsetof(struct sonic_hint_header, magic) == 0, "magic");
_Static_assert(offsetof(struct sonic_hint_header, abi_major) == 8, "abi_major");
_Static_assert(offsetof(struct sonic_hint_header, abi_minor) == 10, "abi_minor");
_Static_assert(offsetof(struct sonic_hint_header, header_size) == 12, "header_size");
_Static_assert(offsetof(struct sonic_hint_header, page_size) == 16, "page_size");
_Static_assert(offsetof(struct sonic_hint_header, area_pages) == 20, "area_pages");
_Static_assert(offsetof(struct sonic_hint_header, pfn_count) == 24, "pfn_count");
_Static_assert(offsetof(struct sonic_hint_header, publish_period_ms) == 32, "publish_period_ms");
_Static_assert(offsetof(struct sonic_hint_header, hold_timeout_ms) == 36, "hold_timeout_ms");
_Static_assert(offsetof(struct sonic_hint_header, gen) == 40, "gen");
_Static_assert(offsetof(struct sonic_hint_header, live_flags) == 48, "live_flags");
_Static_assert(offsetof(struct sonic_hint_header, live_time_ns) == 56, "live_time_ns");
_Static_assert(offsetof(struct sonic_hint_header, handshake) == 64, "handshake");
_Static_assert(offsetof(struct sonic_hint_header, final_flags) == 72, "final_flags");
_Static_assert(offsetof(struct sonic_hint_header, final_time_ns) == 80, "final_time_ns");
_Static_assert(offsetof(struct sonic_hint_header, reserved0) == 88, "reserved0");
_Static_assert(offsetof(struct sonic_hint_header, live) == 128, "live");
_Static_assert(offsetof(struct sonic_hint_header, final_set) == 160, "final_set");
_Static_assert(offsetof(struct sonic_hint_header, referenced) == 192, "referenced");
_Static_assert(offsetof(struct sonic_hint_header, reserved1) == 224, "reserved1");

/* ---- barriers and single-copy-atomic accesses ---------------------------------------------------
 * The other side is another domain, so the kernel must use the virt_* barriers: they stay real
 * barriers in a uniprocessor build, where smp_* would shrink to compiler barriers. */
#ifdef __KERNEL__
#define sonic_wmb()             virt_wmb()
#define sonic_rmb()             virt_rmb()
#define sonic_mb()              virt_mb()
#define sonic_store64(p, v)     WRITE_ONCE(*(p), (v))
#define sonic_load64(p)         READ_ONCE(*(p))
#else
#define sonic_wmb()             __atomic_thread_fence(__ATOMIC_RELEASE)
#define sonic_rmb()             __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define sonic_mb()              __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define sonic_store64(p, v)     __atomic_store_n((p), (uint64_t)(v), __ATOMIC_RELAXED)
#define sonic_load64(p)         __atomic_load_n((p), __ATOMIC_RELAXED)
#endif

/* ---- live seqlock: guest (single writer) ---------------------------------------------------------
 *   sonic_live_write_begin(h);
 *   ...write the live (and referenced) section, its desc count, live_flags, live_time_ns...
 *   sonic_live_write_end(h);
 * Only one context may write at a time (the guest serialises publishers with its own lock). */
static inline void sonic_live_write_begin(struct sonic_hint_header *h)
{
	sonic_store64(&h->gen, h->gen + 1);  /* odd: readers will retry */
	sonic_wmb();                         /* odd gen visible before any section store */
}

static inline void sonic_live_write_end(struct sonic_hint_header *h)
{
	sonic_wmb();                         /* every section store visible before the even gen */
	sonic_store64(&h->gen, h->gen + 1);
}

/* ---- live seqlock: reader (dom0, or a test) --------------------------------------------------------
 *   do { g = sonic_live_read_begin(h); ...copy...; } while (sonic_live_read_retry(h, g) && tries--);
 * A reader bounds its retries: a guest can keep gen odd forever. */
static inline uint64_t sonic_live_read_begin(const struct sonic_hint_header *h)
{
	uint64_t g = sonic_load64(&h->gen);
	sonic_rmb();                         /* gen loaded before any section load */
	return g;
}

/* Non-zero if the copy made since sonic_live_read_begin() returned g must be discarded. */
static inline int sonic_live_read_retry(const struct sonic_hint_header *h, uint64_t g)
{
	sonic_rmb();                         /* section loads done before gen is re-read */
	return (g & 1u) != 0 || sonic_load64(&h->gen) != g;
}

/* ---- handshake word: guest side ------------------------------------------------------------------- */

/* Starts handshake seq (the previous seq + 1) in state REQUESTED. The full barrier makes the word
 * visible before the guest takes any look at its memory for the final set: dom0 relies on it. */
static inline void sonic_hs_request(struct sonic_hint_header *h, uint32_t seq)
{
	sonic_store64(&h->handshake, SONIC_HS_WORD(seq, SONIC_HS_REQUESTED, SONIC_FAIL_NONE));
	sonic_mb();
}

/* Any other state change; the barrier orders the final section, final_flags/final_time_ns and
 * final_set.count before the word that makes them valid. */
static inline void sonic_hs_set(struct sonic_hint_header *h, uint32_t seq, uint32_t state, uint32_t reason)
{
	sonic_wmb();
	sonic_store64(&h->handshake, SONIC_HS_WORD(seq, state, reason));
}

/* ---- sections and bitmaps -------------------------------------------------------------------------- */

static inline void *sonic_section(struct sonic_hint_header *h, const struct sonic_set_desc *d)
{
	return (unsigned char *)h + d->offset;
}

static inline uint64_t sonic_bitmap_words(uint64_t pfn_count)
{
	return (pfn_count + 63) >> 6;
}

static inline uint64_t sonic_bitmap_bytes(uint64_t pfn_count)
{
	return sonic_bitmap_words(pfn_count) << 3;
}

static inline void sonic_bitmap_set(uint64_t *words, uint64_t pfn)
{
	words[pfn >> 6] |= 1ULL << (pfn & 63);
}

static inline void sonic_bitmap_clear(uint64_t *words, uint64_t pfn)
{
	words[pfn >> 6] &= ~(1ULL << (pfn & 63));
}

static inline int sonic_bitmap_test(const uint64_t *words, uint64_t pfn)
{
	return (int)((words[pfn >> 6] >> (pfn & 63)) & 1u);
}

#endif /* SONIC_HINT_H */
