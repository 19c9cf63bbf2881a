/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sonic_internal.h - shared state of the sonic_hint module (SonicMigration guest side, ABI 1.0).
 *
 * One global instance (struct sonic_state) holds the hint area, the private bitmaps and the
 * statistics. Two mutexes split it: pub_lock guards the live publication (scratch bitmap, live
 * section, live statistics); hs_lock guards the handshake (word, final section, held pages).
 * All bitmaps are arrays of 64-bit little-endian words, bit p of word p/64 for PFN p: the ABI's
 * layout, which on x86_64 and arm64 is also Linux's own unsigned-long bitmap layout.
 */
#ifndef SONIC_INTERNAL_H
#define SONIC_INTERNAL_H

#include <linux/types.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/list.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/bitops.h>
#include <linux/mmzone.h>
#include <linux/version.h>

#include "sonic_hint.h"

#if BITS_PER_LONG != 64
#error "sonic_hint needs a 64-bit kernel (ABI 1.x: single-copy-atomic 64-bit accesses)"
#endif

#define SONIC_NAME "sonic_hint"

/*
 * Number of buddy orders (a free block has order 0 .. SONIC_NR_ORDERS - 1). 6.4 redefined MAX_ORDER
 * as the largest order instead of one past it, and 6.8 renamed it MAX_PAGE_ORDER with
 * NR_PAGE_ORDERS beside it; the same name with another meaning would silently miss the largest
 * blocks or accept a bogus order.
 */
#if defined(NR_PAGE_ORDERS)
#define SONIC_NR_ORDERS NR_PAGE_ORDERS
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define SONIC_NR_ORDERS (MAX_ORDER + 1)
#else
#define SONIC_NR_ORDERS MAX_ORDER
#endif

/* How the handshake collects the final set (module parameter "hold"). */
enum sonic_hold_mode {
	SONIC_HOLD_NEVER = 0,   /* publish free pages found under the zone locks */
	SONIC_HOLD_ALWAYS = 1,  /* allocate free pages and publish exactly the held ones */
	SONIC_HOLD_AUTO = 2,    /* hold only when the kernel needs it (SPEC 5, F3) */
};

/* Where one set lives in the area and the private buffers used to build it. */
struct sonic_set {
	struct sonic_set_desc *desc;     /* in the area header */
	void *section;                   /* in the area */
	u32 encoding;                    /* SONIC_ENC_BITMAP or SONIC_ENC_EXTENTS */
	u64 capacity;                    /* bytes */
	struct sonic_extent *ext_buf;    /* EXTENTS: private extent list, capacity bytes */
	u64 *hist;                       /* EXTENTS: run-length histogram for truncation */
};

/*
 * One hint area and the private buffers sized for it: what sonic_state holds for the area in use,
 * and what a rebuild after memory was hot-added (sonic_grow.c) builds beside it before swapping.
 */
struct sonic_area {
	u64 pfn_count;
	u64 bitmap_bytes;
	u32 area_pages;
	struct page **pages;
	struct sonic_hint_header *hdr;
	struct sonic_set live;
	struct sonic_set final;
	u64 *scratch;
	u64 *final_bm;
	u64 *held_bm;
};

/* Counts of one live scan. */
struct sonic_scan_result {
	u64 free;       /* PFNs in free buddy blocks */
	u64 cache;      /* clean, unmapped, file-backed LRU pages */
	u64 hard;       /* everything else below pfn_count */
	u64 probes;     /* struct pages looked at (one per free block, one per other page) */
	u64 start_ns;   /* ktime_get_ns() when the scan began */
	u64 scan_ns;    /* classification time */
	u64 publish_ns; /* time spent inside the seqlock (odd gen) */
	u64 gen;        /* gen after the publication (even) */
	u64 count;      /* live.count as published (may be smaller when truncated) */
	bool truncated;
};

struct sonic_state {
	/* static shape (set at load) */
	u64 pfn_count;
	u64 bitmap_bytes;              /* sonic_bitmap_bytes(pfn_count) */
	u32 area_pages;
	struct page **pages;           /* area pages; an entry is NULL once given to the grant code */
	struct sonic_hint_header *hdr; /* vmap of pages[] */
	struct sonic_set live;
	struct sonic_set final;

	struct workqueue_struct *wq;
	bool stopping;

	/* live publication */
	struct mutex pub_lock;
	u64 *scratch;                  /* the last live classification, built privately */
	struct sonic_scan_result last;
	u64 scans;
	u64 scan_ns_max;
	u64 scan_ns_total;
	u64 scan_est_full_ns;          /* estimate at load of a scan that probes every present page */
	unsigned int period_declared_ms; /* publish_period_ms in the header */
	unsigned int period_now_ms;    /* the delay before the next periodic publication */
	struct delayed_work scan_work;
	/* on-demand publication (SPEC 4.4): scans run only while a lease from dom0 is live */
	spinlock_t lease_lock;
	bool lease_live;               /* lease_end is in the future as far as the scan work knows */
	unsigned long lease_end;       /* jiffies */
	u64 leases;                    /* grants and renewals seen */
	u64 lease_ends;                /* leases ended by dom0 (0) */
	u64 periodic_scans;            /* scans the periodic work ran (not debugfs, not the load scan) */

	/* handshake */
	struct mutex hs_lock;
	u32 seq;
	u64 *final_bm;                 /* the last final set, untruncated */
	u64 *held_bm;                  /* pages held now (under sonic_hold.c's lock) */
	u64 final_count;               /* pages in the published final set */
	u64 final_flags;
	u64 hs_ns;                     /* duration of the last handshake */
	u64 drop_ns;                   /* of which waiting for the clean-cache drop */
	int drop_err;                  /* the last handshake's drop: 0 dropped, 1 not tried, -ETIMEDOUT
	                                * still running, -EALREADY an earlier drop, else its error */
	struct work_struct drop_work;  /* runs drop_caches, which cannot be interrupted */
	struct completion drop_done;
	bool drop_running;             /* drop_work queued and not yet seen complete (hs_lock) */
	int drop_result;               /* of the last completed drop_work */
	u64 drop_last_ns;              /* duration of the last completed drop_work */
	bool last_held;                /* whether the last handshake held its pages */
	u64 handshakes;
	atomic_t request_pending;
	struct work_struct hs_work;
	struct delayed_work timeout_work;
	u32 timeout_seq;               /* handshake the armed hold timeout belongs to */
};

extern struct sonic_state sonic;

/* How the live set is refreshed (module parameter "publish"). */
enum sonic_publish_mode {
	SONIC_PUBLISH_ON_DEMAND = 0,   /* only while dom0's lease is live (ABI 1.1) */
	SONIC_PUBLISH_PERIODIC = 1,    /* always, as ABI 1.0 guests do (for 1.0 dom0s) */
};

/* module parameters read by other files */
extern int sonic_publish;
extern unsigned int sonic_period_ms;
extern unsigned int sonic_scan_cpu_pct;
extern unsigned int sonic_hold_timeout_ms;
extern unsigned int sonic_budget_ms;
extern unsigned int sonic_hold_keep_kb;
extern int sonic_hold;
extern bool sonic_drop_cache;

/* sonic_area.c: the hint area and set encodings */
u64 sonic_guest_pfn_count(void);
int sonic_area_create(u64 pfn_count, u64 budget_bytes);
void sonic_area_destroy(void);
int sonic_area_build(struct sonic_area *a, u64 pfn_count, u64 budget_bytes);
u64 sonic_area_budget(void);
void sonic_area_free(struct sonic_area *a);
void sonic_area_take(struct sonic_area *a);
void sonic_area_install(const struct sonic_area *a);
/*
 * The kernel's bitmap helpers (bitmap_set, bitmap_clear, bitmap_weight, bitmap_copy) take unsigned
 * int positions and lengths in 6.1: a PFN span of 2^32 pages or more would wrap and mark the wrong
 * pages soft. The module refuses such a span (sonic_area_create: -E2BIG) instead.
 */
#define SONIC_LINUX_PFN_LIMIT (1ULL << 32)
u64 sonic_bitmap_weight(const u64 *bm, u64 pfn_count);
u64 sonic_encode_set(struct sonic_set *set, const u64 *bm, u64 pfn_count, bool *truncated);
void sonic_copy_encoded(struct sonic_set *set, const u64 *bm, u64 count);
const char *sonic_encoding_name(u32 encoding);

/* sonic_scan.c: classification, and walks kept apart from memory offlining */
int sonic_hotplug_init(void);
void sonic_hotplug_exit(void);
struct pglist_data;
void sonic_node_span(struct pglist_data *pgdat, unsigned long *start, unsigned long *end);
void sonic_classify_live(u64 *bm, struct sonic_scan_result *res);
u64 sonic_present_pages(void);
bool sonic_collect_free_locked(u64 *bm, u64 deadline_ns, u64 *found);

/* sonic_main.c */
void sonic_publish_live(void);
/* SPEC 4.4: dom0 (xenstore live-request) or debugfs grants a lease of ms milliseconds; 0 ends it. */
void sonic_lease_grant(unsigned int ms);
unsigned int sonic_lease_left_ms(void);
const char *sonic_publish_name(void);

/* sonic_handshake.c */
int sonic_handshake_init(void);
void sonic_handshake_exit(void);
void sonic_request_async(void);
int sonic_request_sync(void);
int sonic_release(void);
void sonic_after_resume(void);
bool sonic_hold_auto_decision(const char **why);

/* sonic_hold.c: held pages */
int sonic_hold_init(void);
void sonic_hold_exit(void);
bool sonic_hold_allocation_writes(void);
bool sonic_hold_more(u64 deadline_ns);
void sonic_hold_copy_bitmap(u64 *bm, u64 nbits);
unsigned long sonic_hold_release_all(void);
unsigned long sonic_held_pages(void);
void sonic_hold_counters(u64 *shrinker, u64 *oom);
void sonic_hold_install_area(const struct sonic_area *a);

/* sonic_grow.c: memory hot-added above the area's pfn_count gets a new, bigger area */
struct seq_file;
void sonic_grow_memory_online(unsigned long start_pfn, unsigned long nr_pages);
void sonic_grow_kick(void);
void sonic_grow_enable(void);
void sonic_grow_exit(void);
void sonic_grow_stats(struct seq_file *m);

/* sonic_debugfs.c */
int sonic_debugfs_init(void);
void sonic_debugfs_exit(void);
void sonic_debugfs_resized(void);

/* sonic_xen.c (inactive stubs without CONFIG_XEN) */
#if IS_ENABLED(CONFIG_XEN)
int sonic_xen_init(void);
void sonic_xen_notify(void);
void sonic_xen_stop(void);
void sonic_xen_release_pages(void);
bool sonic_xen_active(void);
bool sonic_xen_keep_cache(void);
void sonic_xen_lock(void);
void sonic_xen_unlock(void);
void sonic_xen_readvertise_locked(struct sonic_area *old);
#else
static inline int sonic_xen_init(void) { return 0; }
static inline void sonic_xen_notify(void) { }
static inline void sonic_xen_stop(void) { }
static inline void sonic_xen_release_pages(void) { }
static inline bool sonic_xen_active(void) { return false; }
static inline bool sonic_xen_keep_cache(void) { return false; }
static inline void sonic_xen_lock(void) { }
static inline void sonic_xen_unlock(void) { }
static inline void sonic_xen_readvertise_locked(struct sonic_area *old) { }
#endif

#endif /* SONIC_INTERNAL_H */
