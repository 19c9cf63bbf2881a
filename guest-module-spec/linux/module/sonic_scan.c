// SPDX-License-Identifier: GPL-2.0
/*
 * sonic_scan.c - which PFNs are soft (SPEC 3).
 *
 * Free pages: the buddy allocator marks the first page of every free block PageBuddy and keeps the
 * block's order in page->private (mm/internal.h's buddy_order(), not available to modules; the
 * exported is_free_buddy_page() does the same test from any page of a block, probing up to
 * MAX_ORDER heads per PFN). Walking PFNs upwards meets a free block's head before its tails, so the
 * walk marks the whole block at once and jumps over it: one probe per free block, one per other
 * page. Free blocks are naturally aligned and never cross a zone, which bounds the jump.
 *
 * The live scan reads struct page without locks, as /proc/kpageflags does: a page may change class
 * while it is looked at, which a live hint tolerates (SPEC 4: dom0 treats it as stale at once). The
 * final set's scan takes zone->lock around each chunk instead, so every free block it reports was in
 * the allocator at that instant (SPEC 5, F1).
 *
 * Clean page cache: LRU, not anonymous, not swap-backed (shmem/tmpfs), not dirty, not under
 * writeback, not locked, not unevictable/mlocked, not poisoned, and mapped by no process.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/memory_hotplug.h>
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

static bool sonic_page_is_clean_cache(struct page *page)
{
	/* Flag tests first (one word each); page_mapped() is a call and walks large folios. */
	if (!PageLRU(page) || PageAnon(page) || PageSwapBacked(page))
		return false;
	if (PageDirty(page) || PageWriteback(page) || PageLocked(page))
		return false;
	if (PageUnevictable(page) || PageMlocked(page) || PageHWPoison(page))
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
	if (order >= MAX_ORDER || !IS_ALIGNED(pfn, 1ul << order) || pfn + (1ul << order) > end)
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

/* The live soft set: free and clean-cache PFNs into bm (cleared first), with counts. */
void sonic_classify_live(u64 *bm, struct sonic_scan_result *res)
{
	int nid;

	memset(bm, 0, sonic.bitmap_bytes);
	res->free = 0;
	res->cache = 0;
	for_each_online_node(nid) {
		struct pglist_data *pgdat = NODE_DATA(nid);
		unsigned long start = pgdat->node_start_pfn;
		unsigned long end = min_t(u64, start + pgdat->node_spanned_pages, sonic.pfn_count);

		sonic_classify_span(bm, start, end, res);
	}
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
	int nid, zid;

	for_each_online_node(nid) {
		struct pglist_data *pgdat = NODE_DATA(nid);

		for (zid = 0; zid < MAX_NR_ZONES; zid++) {
			struct zone *zone = &pgdat->node_zones[zid];
			unsigned long pfn, end;

			if (!populated_zone(zone))
				continue;
			pfn = zone->zone_start_pfn;
			end = min_t(u64, zone_end_pfn(zone), sonic.pfn_count);
			while (pfn < end) {
				unsigned long chunk_end = min(pfn + SONIC_LOCKED_CHUNK, end);
				unsigned long flags;

				if (ktime_get_ns() > deadline_ns)
					return false;
				spin_lock_irqsave(&zone->lock, flags);
				while (pfn < chunk_end) {
					struct page *page = pfn_to_online_page(pfn);
					int order;

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
	return true;
}
