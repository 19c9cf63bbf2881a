// SPDX-License-Identifier: GPL-2.0
/*
 * sonic_hold.c - held pages (SPEC 5): free pages taken out of the allocator for a final set, and
 * given back on release, on the hold timeout, and whenever the guest needs the memory.
 *
 * Taking: free blocks are allocated with reclaim, kswapd and the emergency reserves all off, biggest
 * blocks first, one zone at a time from the highest down. Each zone keeps its own floor free: its
 * high watermark plus its share (by managed pages) of hold_keep_kb. One floor for the whole guest is
 * not enough: the allocator protects a lower zone with lowmem_reserve, so DMA32 can keep a global
 * sum satisfied while ZONE_NORMAL, where nearly every kernel allocation comes from, is drained to
 * its min watermark. A block is kept only if its zone is still at or above the floor afterwards;
 * otherwise it goes straight back and that zone is done for the order.
 *
 * Chaining: each block is on a list through page->lru of its first page, its order in page->private;
 * nothing is ever written into a held page by this module.
 *
 * Giving back: __free_pages(), the allocator's normal free path (which poisons or zeroes if the
 * kernel asks for it, SPEC 5 F3). Under memory pressure a shrinker gives back held blocks when
 * reclaim runs, and an OOM notifier gives back everything before the OOM killer would pick a
 * victim, as virtio_balloon deflates. Giving back a page published in a final set is safe at any
 * time (SPEC 6.4, 9): whatever the free path or the page's next owner writes lands in dom0's final
 * dirty set and is sent; it only makes the final round larger. The list is under a spinlock, never
 * a sleeping lock, because reclaim and the OOM path may run inside the handshake itself.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/moduleparam.h>
#include <linux/vmstat.h>
#include <linux/bitmap.h>
#include <linux/list.h>
#include <linux/notifier.h>
#include <linux/oom.h>
#include <linux/sched.h>
#include <linux/shrinker.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>

#include "sonic_internal.h"

/* No direct reclaim, no kswapd wake-up, no emergency reserves, no retry; movable so the blocks come
 * from (and go back to) movable pageblocks instead of turning them unmovable. The zone modifier
 * (sonic_hold_gfp) caps the highest zone the allocator may use. */
#define SONIC_HOLD_GFP_BASE (__GFP_MOVABLE | __GFP_NOWARN | __GFP_NORETRY | __GFP_NOMEMALLOC)

static DEFINE_SPINLOCK(sonic_held_lock);
static LIST_HEAD(sonic_held);           /* held blocks, biggest first */
static unsigned long sonic_held_count;  /* pages on sonic_held */
static u64 sonic_given_back_shrinker;   /* pages given back to reclaim */
static u64 sonic_given_back_oom;        /* pages given back to the OOM path */

/* The flags whose allocations the zonelist starts at zone zid (64-bit: no ZONE_HIGHMEM). */
static gfp_t sonic_hold_gfp(int zid)
{
	switch (zid) {
#ifdef CONFIG_ZONE_DMA
	case ZONE_DMA:
		return SONIC_HOLD_GFP_BASE | __GFP_DMA;
#endif
#ifdef CONFIG_ZONE_DMA32
	case ZONE_DMA32:
		return SONIC_HOLD_GFP_BASE | __GFP_DMA32;
#endif
	case ZONE_MOVABLE:
		return SONIC_HOLD_GFP_BASE | __GFP_HIGHMEM;
	default:
		return SONIC_HOLD_GFP_BASE;
	}
}

/* Whether the kernel zeroes what it allocates with the hold's flags (init_on_alloc). */
bool sonic_hold_allocation_writes(void)
{
	return want_init_on_alloc(SONIC_HOLD_GFP_BASE);
}

static unsigned long sonic_managed_total(void)
{
	unsigned long total = 0;
	int nid, zid;

	for_each_online_node(nid)
		for (zid = 0; zid <= ZONE_MOVABLE; zid++)
			total += zone_managed_pages(&NODE_DATA(nid)->node_zones[zid]);
	return total;
}

/* What zone must keep free while pages are held: high watermark + its share of keep_pages. */
static unsigned long sonic_zone_floor(struct zone *zone, unsigned long keep_pages, unsigned long managed_total)
{
	u64 share = managed_total ? (u64)keep_pages * zone_managed_pages(zone) / managed_total : 0;

	return high_wmark_pages(zone) + (unsigned long)share;
}

unsigned long sonic_held_pages(void)
{
	return READ_ONCE(sonic_held_count);
}

void sonic_hold_counters(u64 *shrinker, u64 *oom)
{
	spin_lock(&sonic_held_lock);
	*shrinker = sonic_given_back_shrinker;
	*oom = sonic_given_back_oom;
	spin_unlock(&sonic_held_lock);
}

static void sonic_hold_add(struct page *page, unsigned int order)
{
	unsigned long pfn = page_to_pfn(page);

	set_page_private(page, order);
	spin_lock(&sonic_held_lock);
	list_add_tail(&page->lru, &sonic_held);
	sonic_held_count += 1ul << order;
	/* memory hot-added beyond the area's coverage: held, but not publishable */
	if (pfn + (1ul << order) <= sonic.pfn_count)
		bitmap_set((unsigned long *)sonic.held_bm, pfn, 1u << order);
	spin_unlock(&sonic_held_lock);
}

/*
 * Holds more free pages, biggest blocks first, each zone down to its floor. Returns false if the
 * deadline cut it short.
 */
bool sonic_hold_more(u64 deadline_ns)
{
	unsigned long keep = (unsigned long)READ_ONCE(sonic_hold_keep_kb) >> (PAGE_SHIFT - 10);
	unsigned long managed_total = sonic_managed_total();
	unsigned int n = 0;
	int order, nid, zid;

	for (order = SONIC_NR_ORDERS - 1; order >= 0; order--) {
		for_each_online_node(nid) {
			for (zid = ZONE_MOVABLE; zid >= 0; zid--) {
				struct zone *zone = &NODE_DATA(nid)->node_zones[zid];
				unsigned long floor;

				if (!populated_zone(zone))
					continue;
				floor = sonic_zone_floor(zone, keep, managed_total);
				for (;;) {
					struct page *page;
					struct zone *got;

					if (zone_page_state(zone, NR_FREE_PAGES) < floor + (1ul << order))
						break;
					if (!(++n & 15)) {
						if (ktime_get_ns() > deadline_ns)
							return false;
						cond_resched();
					}
					page = __alloc_pages_node(nid, sonic_hold_gfp(zid) | __GFP_THISNODE, order);
					if (!page)
						break;
					/* the allocator may have fallen back to a lower zone */
					got = page_zone(page);
					if (zone_page_state_snapshot(got, NR_FREE_PAGES) <
					    sonic_zone_floor(got, keep, managed_total)) {
						__free_pages(page, order);
						break;
					}
					sonic_hold_add(page, order);
				}
			}
		}
	}
	return true;
}

/*
 * Swaps the module's area (sonic_grow.c, with nothing held): under the held-page lock, so that reclaim,
 * the OOM path and debugfs see the held bitmap and pfn_count of one area, never a mix.
 */
void sonic_hold_install_area(const struct sonic_area *a)
{
	spin_lock(&sonic_held_lock);
	sonic_area_install(a);
	spin_unlock(&sonic_held_lock);
}

/*
 * Copies the held bitmap (consistent with the list at one instant) into bm, at most nbits of it: a
 * reader that sized bm before taking the lock may be looking at a smaller area than the one now in use.
 */
void sonic_hold_copy_bitmap(u64 *bm, u64 nbits)
{
	spin_lock(&sonic_held_lock);
	bitmap_copy((unsigned long *)bm, (unsigned long *)sonic.held_bm, min(nbits, sonic.pfn_count));
	spin_unlock(&sonic_held_lock);
}

/* Detaches whole blocks, biggest first, until at least nr pages (ULONG_MAX: all) are on list. */
static unsigned long sonic_hold_detach(unsigned long nr, struct list_head *list)
{
	unsigned long taken = 0;
	struct page *page, *next;

	spin_lock(&sonic_held_lock);
	list_for_each_entry_safe(page, next, &sonic_held, lru) {
		unsigned int order = page_private(page);
		unsigned long pfn = page_to_pfn(page);

		if (taken >= nr)
			break;
		list_move_tail(&page->lru, list);
		taken += 1ul << order;
		if (pfn + (1ul << order) <= sonic.pfn_count)
			bitmap_clear((unsigned long *)sonic.held_bm, pfn, 1u << order);
	}
	sonic_held_count -= taken;
	spin_unlock(&sonic_held_lock);
	return taken;
}

static void sonic_hold_free_list(struct list_head *list)
{
	struct page *page, *next;
	unsigned int n = 0;

	list_for_each_entry_safe(page, next, list, lru) {
		unsigned int order = page_private(page);

		list_del(&page->lru);
		set_page_private(page, 0);
		__free_pages(page, order);
		if (!(++n & 63))
			cond_resched();
	}
}

/* Gives every held page back to the allocator. Returns the number of pages. */
unsigned long sonic_hold_release_all(void)
{
	LIST_HEAD(list);
	unsigned long n = sonic_hold_detach(ULONG_MAX, &list);

	sonic_hold_free_list(&list);
	return n;
}

/*
 * TEST ONLY: the shrinker gives back nothing while this is set. The kernel test has to make the OOM
 * notifier run, and nothing else gets there with pages held: reclaim calls the shrinker long before
 * the allocator gives up and calls out_of_memory(), and the shrinker gives back every held page; a
 * memory cgroup's limit ends in a memcg OOM, for which out_of_memory() skips the notifiers; sysrq-f
 * calls the notifiers but kills a process even when they freed pages. Nothing else reads it.
 */
static bool sonic_test_shrinker_off;
module_param_named(test_shrinker_off, sonic_test_shrinker_off, bool, 0644);
MODULE_PARM_DESC(test_shrinker_off, "TEST ONLY: the shrinker gives back nothing, so only the OOM notifier can (default N)");

static unsigned long sonic_shrink_count(struct shrinker *s, struct shrink_control *sc)
{
	unsigned long n = READ_ONCE(sonic_held_count);

	return n && !READ_ONCE(sonic_test_shrinker_off) ? n : SHRINK_EMPTY;
}

static unsigned long sonic_shrink_scan(struct shrinker *s, struct shrink_control *sc)
{
	LIST_HEAD(list);
	unsigned long n;

	if (READ_ONCE(sonic_test_shrinker_off))
		return SHRINK_STOP;
	n = sonic_hold_detach(sc->nr_to_scan, &list);

	if (!n)
		return SHRINK_STOP;
	sonic_hold_free_list(&list);
	spin_lock(&sonic_held_lock);
	sonic_given_back_shrinker += n;
	spin_unlock(&sonic_held_lock);
	pr_info_ratelimited("memory pressure: gave back %lu held pages to reclaim\n", n);
	return n;
}

/*
 * seeks 0: held pages cost nothing to give back, so reclaim may take half of them per pass.
 * 6.7 made shrinkers dynamically allocated (shrinker_alloc/shrinker_register/shrinker_free, freed
 * after an RCU grace period) and dropped register_shrinker().
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
static struct shrinker *sonic_shrinker;

static int sonic_shrinker_register(void)
{
	sonic_shrinker = shrinker_alloc(0, "sonic_hint-held");
	if (!sonic_shrinker)
		return -ENOMEM;
	sonic_shrinker->count_objects = sonic_shrink_count;
	sonic_shrinker->scan_objects = sonic_shrink_scan;
	sonic_shrinker->seeks = 0;
	shrinker_register(sonic_shrinker);
	return 0;
}

static void sonic_shrinker_unregister(void)
{
	shrinker_free(sonic_shrinker);
	sonic_shrinker = NULL;
}
#else
static struct shrinker sonic_shrinker = {
	.count_objects = sonic_shrink_count,
	.scan_objects = sonic_shrink_scan,
	.seeks = 0,
};

static int sonic_shrinker_register(void)
{
	return register_shrinker(&sonic_shrinker, "sonic_hint-held");
}

static void sonic_shrinker_unregister(void)
{
	unregister_shrinker(&sonic_shrinker);
}
#endif

static int sonic_oom_notify(struct notifier_block *nb, unsigned long action, void *parm)
{
	unsigned long *freed = parm;
	LIST_HEAD(list);
	unsigned long n = sonic_hold_detach(ULONG_MAX, &list);

	if (!n)
		return NOTIFY_OK;
	sonic_hold_free_list(&list);
	spin_lock(&sonic_held_lock);
	sonic_given_back_oom += n;
	spin_unlock(&sonic_held_lock);
	*freed += n;
	pr_info("out of memory: gave back all %lu held pages\n", n);
	return NOTIFY_OK;
}

static struct notifier_block sonic_oom_nb = {
	.notifier_call = sonic_oom_notify,
};

int sonic_hold_init(void)
{
	int err = sonic_shrinker_register();

	if (err)
		return err;
	err = register_oom_notifier(&sonic_oom_nb);
	if (err)
		sonic_shrinker_unregister();
	return err;
}

/* After this nothing can take or give back pages behind the caller's back. */
void sonic_hold_exit(void)
{
	unregister_oom_notifier(&sonic_oom_nb);
	sonic_shrinker_unregister();
	sonic_hold_release_all();
}
