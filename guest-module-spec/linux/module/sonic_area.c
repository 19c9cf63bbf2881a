// SPDX-License-Identifier: GPL-2.0
/*
 * sonic_area.c - the hint area: its shape (SPEC 2.5), its pages, and the two set encodings.
 *
 * The area is whole order-0 pages (so each can be granted to dom0 on its own and handed to the grant
 * code on teardown), mapped contiguously with vmap(). Sets are built privately: a bitmap is copied as
 * is, an extent list is computed into a private buffer first, so the odd-gen window of the live
 * seqlock lasts only as long as a memcpy (SPEC 4.1).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/vmalloc.h>
#include <linux/slab.h>
#include <linux/bitmap.h>
#include <linux/log2.h>
#include <linux/timekeeping.h>

#include "sonic_internal.h"

/* Run lengths below this are counted exactly when a set must be truncated; longer ones by power of
 * two. A run of 4096 pages is 16 MiB, so an inexact cut needs more than capacity/16 runs that long. */
#define SONIC_HIST_EXACT 4096u
#define SONIC_HIST_SLOTS (SONIC_HIST_EXACT + 64u)

/*
 * Highest PFN + 1 over all online nodes. max_pfn and for_each_zone are not exported to modules, but
 * node_data[] is, and every zone lies inside its node's span.
 */
u64 sonic_guest_pfn_count(void)
{
	u64 end = 0;
	int nid;

	for_each_online_node(nid) {
		unsigned long start, node_end;

		sonic_node_span(NODE_DATA(nid), &start, &node_end);
		if (node_end > end)
			end = node_end;
	}
	return end;
}

const char *sonic_encoding_name(u32 encoding)
{
	switch (encoding) {
	case SONIC_ENC_BITMAP:
		return "bitmap";
	case SONIC_ENC_EXTENTS:
		return "extents";
	default:
		return "absent";
	}
}

u64 sonic_bitmap_weight(const u64 *bm, u64 pfn_count)
{
	return bitmap_weight((const unsigned long *)bm, pfn_count);
}

static int sonic_set_init(struct sonic_set *set, struct sonic_hint_header *hdr, struct sonic_set_desc *desc,
			  u32 encoding, u64 offset, u64 capacity)
{
	set->desc = desc;
	set->section = (u8 *)hdr + offset;
	set->encoding = encoding;
	set->capacity = capacity;
	desc->offset = offset;
	desc->capacity = capacity;
	desc->encoding = encoding;
	desc->reserved = 0;
	desc->count = 0;
	if (encoding != SONIC_ENC_EXTENTS)
		return 0;
	set->ext_buf = vmalloc(capacity);
	set->hist = vmalloc(SONIC_HIST_SLOTS * sizeof(u64));
	return set->ext_buf && set->hist ? 0 : -ENOMEM;
}

static void sonic_set_free(struct sonic_set *set)
{
	vfree(set->ext_buf);
	vfree(set->hist);
	set->ext_buf = NULL;
	set->hist = NULL;
}

/*
 * SPEC 2.5 with two sets (live, final; no referenced set, see README): header page, then both sets
 * page-aligned; bitmaps while header + 2 bitmaps fit the budget, else extent lists splitting it.
 * Builds a complete, unpublished area in a (zeroed by the caller or not: every field is set here);
 * nothing of the module's state changes, so a new area can be built while the old one is in use.
 */
int sonic_area_build(struct sonic_area *a, u64 pfn_count, u64 budget_bytes)
{
	const u64 page = SONIC_PAGE_SIZE;
	u64 bitmap, each, area_bytes;
	u32 encoding, i;
	int err;

	BUILD_BUG_ON(PAGE_SIZE != SONIC_PAGE_SIZE);
	memset(a, 0, sizeof(*a));
	if (pfn_count < 1 || pfn_count > SONIC_MAX_PFN_COUNT)
		return -ERANGE;
	if (pfn_count >= SONIC_LINUX_PFN_LIMIT)
		return -E2BIG;
	if (budget_bytes < 2 * page || budget_bytes > (u64)SONIC_MAX_AREA_PAGES * page)
		return -EINVAL;

	bitmap = round_up(sonic_bitmap_bytes(pfn_count), page);
	if (page + 2 * bitmap <= budget_bytes) {
		encoding = SONIC_ENC_BITMAP;
		each = bitmap;
	} else {
		encoding = SONIC_ENC_EXTENTS;
		each = (budget_bytes - page) / 2 / page * page;
		if (each < page)
			return -EINVAL;
	}
	area_bytes = page + 2 * each;

	a->pfn_count = pfn_count;
	a->bitmap_bytes = sonic_bitmap_bytes(pfn_count);
	a->area_pages = area_bytes / page;
	a->pages = kvcalloc(a->area_pages, sizeof(*a->pages), GFP_KERNEL);
	if (!a->pages)
		return -ENOMEM;
	for (i = 0; i < a->area_pages; i++) {
		a->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!a->pages[i]) {
			err = -ENOMEM;
			goto fail;
		}
	}
	a->hdr = vmap(a->pages, a->area_pages, VM_MAP, PAGE_KERNEL);
	a->scratch = vzalloc(a->bitmap_bytes);
	a->final_bm = vzalloc(a->bitmap_bytes);
	a->held_bm = vzalloc(a->bitmap_bytes);
	if (!a->hdr || !a->scratch || !a->final_bm || !a->held_bm) {
		err = -ENOMEM;
		goto fail;
	}

	/* Static fields: written once, before the area is advertised (SPEC 2.1). The pages are zeroed,
	 * so gen = 0, the handshake word (0, IDLE), every reserved field and the referenced
	 * descriptor (ABSENT) are already right. publish_period_ms is the period declared so far: 0
	 * at load, where it is set after the first scan, and the load's value for an area rebuilt
	 * after memory was added (sonic_grow.c). */
	a->hdr->magic = SONIC_HINT_MAGIC;
	a->hdr->abi_major = SONIC_ABI_MAJOR;
	a->hdr->abi_minor = SONIC_ABI_MINOR;
	a->hdr->header_size = SONIC_HEADER_SIZE;
	a->hdr->page_size = SONIC_PAGE_SIZE;
	a->hdr->area_pages = a->area_pages;
	a->hdr->pfn_count = pfn_count;
	a->hdr->publish_period_ms = sonic.period_declared_ms;
	a->hdr->hold_timeout_ms = sonic_hold_timeout_ms;
	sonic_store64(&a->hdr->handshake, SONIC_HS_WORD(0, SONIC_HS_IDLE, SONIC_FAIL_NONE));
	err = sonic_set_init(&a->live, a->hdr, &a->hdr->live, encoding, page, each);
	if (!err)
		err = sonic_set_init(&a->final, a->hdr, &a->hdr->final_set, encoding, page + each, each);
	if (err)
		goto fail;
	sonic_wmb();
	return 0;
fail:
	sonic_area_free(a);
	return err;
}

/* Frees what sonic_area_build() made; pages already handed to the grant code are NULL in a->pages. */
void sonic_area_free(struct sonic_area *a)
{
	u32 i;

	sonic_set_free(&a->live);
	sonic_set_free(&a->final);
	if (a->hdr)
		vunmap(a->hdr);
	a->hdr = NULL;
	if (a->pages) {
		for (i = 0; i < a->area_pages; i++)
			if (a->pages[i])
				__free_page(a->pages[i]);
		kvfree(a->pages);
	}
	a->pages = NULL;
	vfree(a->scratch);
	vfree(a->final_bm);
	vfree(a->held_bm);
	a->scratch = a->final_bm = a->held_bm = NULL;
}

/* The module's area, taken out of sonic (which then has none) or put into it. */
void sonic_area_take(struct sonic_area *a)
{
	a->pfn_count = sonic.pfn_count;
	a->bitmap_bytes = sonic.bitmap_bytes;
	a->area_pages = sonic.area_pages;
	a->pages = sonic.pages;
	a->hdr = sonic.hdr;
	a->live = sonic.live;
	a->final = sonic.final;
	a->scratch = sonic.scratch;
	a->final_bm = sonic.final_bm;
	a->held_bm = sonic.held_bm;
}

void sonic_area_install(const struct sonic_area *a)
{
	sonic.pfn_count = a->pfn_count;
	sonic.bitmap_bytes = a->bitmap_bytes;
	sonic.area_pages = a->area_pages;
	sonic.pages = a->pages;
	sonic.hdr = a->hdr;
	sonic.live = a->live;
	sonic.final = a->final;
	sonic.scratch = a->scratch;
	sonic.final_bm = a->final_bm;
	sonic.held_bm = a->held_bm;
}

/* area_budget_kb at load, in bytes: a rebuilt area follows the same rule (SPEC 2.5) */
static u64 sonic_budget_bytes;

u64 sonic_area_budget(void)
{
	return sonic_budget_bytes;
}

int sonic_area_create(u64 pfn_count, u64 budget_bytes)
{
	struct sonic_area a;
	int err = sonic_area_build(&a, pfn_count, budget_bytes);

	if (!err) {
		sonic_area_install(&a);
		sonic_budget_bytes = budget_bytes;
	}
	return err;
}

/* Unload: granted pages go to the grant code, which frees them once dom0 has unmapped them. */
void sonic_area_destroy(void)
{
	struct sonic_area a;

	if (sonic.hdr)
		vunmap(sonic.hdr);
	sonic.hdr = NULL;
	sonic_xen_release_pages();
	sonic_area_take(&a);
	sonic_area_free(&a);
	memset(&sonic.live, 0, sizeof(sonic.live));
	memset(&sonic.final, 0, sizeof(sonic.final));
	sonic.pages = NULL;
	sonic.scratch = sonic.final_bm = sonic.held_bm = NULL;
}

/* Iterates over the runs of set bits below pfn_count, in PFN order: [start, end). */
#define sonic_for_each_run(bm, pfn_count, start, end)                                              \
	for ((start) = find_next_bit((const unsigned long *)(bm), (pfn_count), 0);                 \
	     (start) < (pfn_count) &&                                                              \
	     ((end) = find_next_zero_bit((const unsigned long *)(bm), (pfn_count), (start)), 1);  \
	     (start) = find_next_bit((const unsigned long *)(bm), (pfn_count), (end)))

static u64 sonic_hist_slot(u64 len)
{
	return len < SONIC_HIST_EXACT ? len : SONIC_HIST_EXACT + ilog2(len);
}

/*
 * SPEC 2.5 rule 4: when there are more runs than extents, publish the longest runs that fit, in
 * PFN order. One pass builds a histogram of run lengths, a second writes every run at or above the
 * cut and, of the runs in the slot where the cut falls, as many as are left, first come first.
 */
static u64 sonic_encode_truncated(struct sonic_set *set, const u64 *bm, u64 pfn_count, u64 cap)
{
	u64 *hist = set->hist;
	u64 start, end, taken = 0, quota = 0, n = 0;
	u64 cut_slot = 0;
	s64 slot;

	memset(hist, 0, SONIC_HIST_SLOTS * sizeof(u64));
	sonic_for_each_run(bm, pfn_count, start, end)
		hist[sonic_hist_slot(end - start)]++;
	for (slot = SONIC_HIST_SLOTS - 1; slot >= 1; slot--) {
		if (taken + hist[slot] > cap) {
			cut_slot = slot;
			quota = cap - taken;
			break;
		}
		taken += hist[slot];
	}
	sonic_for_each_run(bm, pfn_count, start, end) {
		u64 s = sonic_hist_slot(end - start);

		if (s == cut_slot) {
			if (!quota)
				continue;
			quota--;
		}
		if (s >= cut_slot) {
			set->ext_buf[n].start = start;
			set->ext_buf[n].len = end - start;
			n++;
		}
	}
	return n;
}

/*
 * Prepares the set's content from bm (outside any seqlock) and returns the descriptor count to
 * publish. BITMAP: the population below pfn_count. EXTENTS: the runs written to ext_buf.
 */
u64 sonic_encode_set(struct sonic_set *set, const u64 *bm, u64 pfn_count, bool *truncated)
{
	u64 cap, runs = 0, start, end;

	*truncated = false;
	if (set->encoding == SONIC_ENC_BITMAP)
		return sonic_bitmap_weight(bm, pfn_count);

	cap = set->capacity / sizeof(struct sonic_extent);
	sonic_for_each_run(bm, pfn_count, start, end) {
		if (runs < cap) {
			set->ext_buf[runs].start = start;
			set->ext_buf[runs].len = end - start;
		}
		runs++;
	}
	if (runs <= cap)
		return runs;
	*truncated = true;
	return sonic_encode_truncated(set, bm, pfn_count, cap);
}

/* Copies what sonic_encode_set() prepared into the area; the caller holds the set's protocol. */
void sonic_copy_encoded(struct sonic_set *set, const u64 *bm, u64 count)
{
	if (set->encoding == SONIC_ENC_BITMAP)
		memcpy(set->section, bm, sonic.bitmap_bytes);
	else
		memcpy(set->section, set->ext_buf, count * sizeof(struct sonic_extent));
	sonic_store64(&set->desc->count, count);
}
