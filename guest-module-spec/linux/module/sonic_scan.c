// SPDX-License-Identifier: GPL-2.0
/*
 * sonic_scan.c - which PFNs are soft (SPEC 3).
 *
 * Free pages: the buddy allocator marks the first page of every free block PageBuddy and keeps the
 * block's order in page->private (mm/internal.h's buddy_order(), not available to modules; the
 * exported is_free_buddy_page() does the same test from any page of a block, probing up to
 * one head per order per PFN). Walking PFNs upwards meets a free block's head before its tails, so the
 * walk marks the whole block at once and jumps over it: one probe per free block, one per other
 * page. Free blocks are naturally aligned and never cross a zone, which bounds the jump.
 *
 * The live scan reads struct page without locks, as /proc/kpageflags does: a page may change class
 * while it is looked at, which a live hint tolerates (SPEC 4: dom0 treats it as stale at once). The
 * final set's scan takes zone->lock around each chunk instead, so every free block it reports was in
 * the allocator at that instant (SPEC 5, F1).
 *
 * Memory offlining: both walks read struct page of online sections only, and the memmap of a
 * section is freed (hot-remove) only after the section went offline. get_online_mems() is not
 * exported to modules; a memory notifier is. On MEM_GOING_OFFLINE it takes sonic_walk_sem for
 * writing, which waits for a running walk and keeps new ones out, and releases it on MEM_OFFLINE or
 * MEM_CANCEL_OFFLINE (offline_pages() sends both from the same task, under mem_hotplug_lock, which
 * also serialises offlining). By MEM_OFFLINE the sections are marked offline, so a later walk skips
 * them before their memmap can go. The live scan waits for an offlining to end; a handshake waits
 * only until its deadline. MEM_ONLINE of memory above the area's pfn_count goes to sonic_grow.c. Node spans are read under pgdat_resize_lock, zone spans under their
 * seqlock.
 *
 * Clean page cache: LRU, not anonymous, not swap-backed (shmem/tmpfs), not dirty, not under
 * writeback, not locked, not unevictable/mlocked, not poisoned, and mapped by no process.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/memory.h>
#include <linux/memory_hotplug.h>
#include <linux/delay.h>
#include <linux/rwsem.h>
#include <linux/notifier.h>
#include <linux/page-flags.h>
#include <linux/nodemask.h>
#include <linux/bitmap.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>

#include "sonic_internal.h"

/* PFNs classified between two cond_resched() calls in the live scan (64 MiB of memory). */
#define SONIC_SCAN_CHUNK 16384ul
/* PFNs examined per zone->lock hold in the final scan; bounds the time with interrupts off. */
#define SONIC_LOCKED_CHUNK 4096ul

static DECLARE_RWSEM(sonic_walk_sem);
static bool sonic_offlining; /* the notifier holds sonic_walk_sem for writing */

static int sonic_memory_notify(struct notifier_block *nb, unsigned long action, void *arg)
{
	switch (action) {
	case MEM_GOING_OFFLINE:
		down_write(&sonic_walk_sem);
		sonic_offlining = true;
		break;
	case MEM_ONLINE: {
		const struct memory_notify *mn = arg;

		sonic_grow_memory_online(mn->start_pfn, mn->nr_pages);
		break;
	}
	case MEM_OFFLINE:
	case MEM_CANCEL_OFFLINE:
		/* CANCEL also comes when an earlier notifier refused GOING_OFFLINE before us */
		if (sonic_offlining) {
			sonic_offlining = false;
			up_write(&sonic_walk_sem);
		}
		break;
	}
	return NOTIFY_OK;
}

static struct notifier_block sonic_memory_nb = {
	.notifier_call = sonic_memory_notify,
};

int sonic_hotplug_init(void)
{
	return register_memory_notifier(&sonic_memory_nb);
}

void sonic_hotplug_exit(void)
{
	unregister_memory_notifier(&sonic_memory_nb);
}

/* Starts a walk, waiting for an offlining in progress to end, or until deadline_ns (0: no limit). */
static bool sonic_walk_begin(u64 deadline_ns)
{
	if (!deadline_ns) {
		down_read(&sonic_walk_sem);
		return true;
	}
	while (!down_read_trylock(&sonic_walk_sem)) {
		if (ktime_get_ns() > deadline_ns)
			return false;
		usleep_range(500, 1000);
	}
	return true;
}

static void sonic_walk_end(void)
{
	up_read(&sonic_walk_sem);
}

void sonic_node_span(struct pglist_data *pgdat, unsigned long *start, unsigned long *end)
{
	unsigned long flags;

	pgdat_resize_lock(pgdat, &flags);
	*start = pgdat->node_start_pfn;
	*end = pgdat_end_pfn(pgdat);
	pgdat_resize_unlock(pgdat, &flags);
}

static void sonic_zone_span(struct zone *zone, unsigned long *start, unsigned long *end)
{
	unsigned int seq;

	do {
		seq = zone_span_seqbegin(zone);
		*start = zone->zone_start_pfn;
		*end = zone_end_pfn(zone);
	} while (zone_span_seqretry(zone, seq));
}

/*
 * The flags live on the folio (6.12 no longer has Page* tests for most of them; 6.1 has both and
 * reads a tail page's flags from its head either way). HWPoison and the map count stay per page.
 */
static bool sonic_page_is_clean_cache(struct page *page)
{
	struct folio *folio = page_folio(page);

	/* Flag tests first (one word each); page_mapped() walks large folios. */
	if (!folio_test_lru(folio) || folio_test_anon(folio) || folio_test_swapbacked(folio))
		return false;
	if (folio_test_dirty(folio) || folio_test_writeback(folio) || folio_test_locked(folio))
		return false;
	if (folio_test_unevictable(folio) || folio_test_mlocked(folio) || PageHWPoison(page))
		return false;
	return !page_mapped(page);
}

/* Next PFN to look at after pfn had no online page: the next section if this one is not online. */
static unsigned long sonic_skip_offline(unsigned long pfn)
{
#ifdef CONFIG_SPARSEMEM
	if (!online_section_nr(pfn_to_section_nr(pfn)))
		return SECTION_ALIGN_UP(pfn + 1);
#endif
	return pfn + 1;
}

/* Order of the free block headed by page, or -1 if page does not head one that fits below end. */
static int sonic_free_block_order(struct page *page, unsigned long pfn, unsigned long end)
{
	unsigned long order;

	if (!PageBuddy(page))
		return -1;
	order = READ_ONCE(page->private);
	if (order >= SONIC_NR_ORDERS || !IS_ALIGNED(pfn, 1ul << order) || pfn + (1ul << order) > end)
		return -1;
	return order;
}

/* Classifies [pfn, end) of one node into bm; end is the node's end (free blocks stay inside). */
static void sonic_classify_span(u64 *bm, unsigned long pfn, unsigned long end, struct sonic_scan_result *res)
{
	unsigned long *map = (unsigned long *)bm;

	while (pfn < end) {
		unsigned long chunk_end = min(pfn + SONIC_SCAN_CHUNK, end);

		while (pfn < chunk_end) {
			struct page *page = pfn_to_online_page(pfn);
			int order;

			if (!page) {
				pfn = sonic_skip_offline(pfn);
				continue;
			}
			res->probes++;
			order = sonic_free_block_order(page, pfn, end);
			if (order >= 0) {
				bitmap_set(map, pfn, 1u << order);
				res->free += 1u << order;
				pfn += 1ul << order;
				continue;
			}
			if (sonic_page_is_clean_cache(page)) {
				__set_bit(pfn, map);
				res->cache++;
			}
			pfn++;
		}
		cond_resched();
	}
}

/* Pages with a struct page in the guest's zones: what a scan of used memory probes one by one. */
u64 sonic_present_pages(void)
{
	u64 present = 0;
	int nid, zid;

	for_each_online_node(nid)
		for (zid = 0; zid < MAX_NR_ZONES; zid++)
			present += READ_ONCE(NODE_DATA(nid)->node_zones[zid].present_pages);
	return present;
}

/* The live soft set: free and clean-cache PFNs into bm (cleared first), with counts. */
void sonic_classify_live(u64 *bm, struct sonic_scan_result *res)
{
	int nid;

	memset(bm, 0, sonic.bitmap_bytes);
	res->free = 0;
	res->cache = 0;
	res->probes = 0;
	sonic_walk_begin(0);
	for_each_online_node(nid) {
		unsigned long start, end;

		sonic_node_span(NODE_DATA(nid), &start, &end);
		end = min_t(u64, end, sonic.pfn_count);
		sonic_classify_span(bm, start, end, res);
	}
	sonic_walk_end();
	/* node spans do not overlap on x86/arm64, but never let a count wrap */
	res->hard = res->free + res->cache <= sonic.pfn_count ? sonic.pfn_count - res->free - res->cache : 0;
}

/*
 * Adds to bm every page that is in a free block of its zone while that zone's lock is held, one
 * chunk of PFNs per lock hold. Returns false if deadline_ns passed first (bm then holds a subset,
 * which is still a valid final set). *found counts the pages added.
 */
bool sonic_collect_free_locked(u64 *bm, u64 deadline_ns, u64 *found)
{
	unsigned long *map = (unsigned long *)bm;
	bool complete = false;
	int nid, zid;

	if (!sonic_walk_begin(deadline_ns))
		return false;
	for_each_online_node(nid) {
		struct pglist_data *pgdat = NODE_DATA(nid);

		for (zid = 0; zid < MAX_NR_ZONES; zid++) {
			struct zone *zone = &pgdat->node_zones[zid];
			unsigned long pfn, end;

			if (!populated_zone(zone))
				continue;
			sonic_zone_span(zone, &pfn, &end);
			end = min_t(u64, end, sonic.pfn_count);
			while (pfn < end) {
				unsigned long chunk_start = pfn, chunk_end = min(pfn + SONIC_LOCKED_CHUNK, end);
				unsigned long flags;

				if (ktime_get_ns() > deadline_ns)
					goto out;
				spin_lock_irqsave(&zone->lock, flags);
				while (pfn < chunk_end) {
					struct page *page;
					int order;

					/* someone waits for this zone's lock: let go after some progress, the
					 * next chunk starts here */
					if (pfn != chunk_start && spin_needbreak(&zone->lock))
						break;
					page = pfn_to_online_page(pfn);

					if (!page) {
						pfn = sonic_skip_offline(pfn);
						continue;
					}
					/* zones of a node may interleave: only this zone's lock covers the page */
					order = page_zone(page) == zone ? sonic_free_block_order(page, pfn, end) : -1;
					if (order >= 0) {
						bitmap_set(map, pfn, 1u << order);
						*found += 1u << order;
						pfn += 1ul << order;
						continue;
					}
					pfn++;
				}
				spin_unlock_irqrestore(&zone->lock, flags);
				cond_resched();
			}
		}
	}
	complete = true;
out:
	sonic_walk_end();
	return complete;
}
