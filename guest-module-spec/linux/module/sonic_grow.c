// SPDX-License-Identifier: GPL-2.0
/*
 * sonic_grow.c - memory hot-added above the area's pfn_count gets covered by a new, bigger area.
 *
 * The area's shape (pfn_count, area_pages, section sizes) is static while it is shared (SPEC 2.1), so
 * memory onlined above pfn_count would stay uncovered (hard for dom0: safe, but no benefit). The memory
 * notifier (sonic_scan.c) reports MEM_ONLINE of such memory here; work on the system's unbound
 * workqueue then builds a new area for the new highest PFN + 1 beside the old one (allocation outside
 * every lock), and swaps the two with the handshake lock, the publication lock, the Xen glue's lock and
 * the held-page lock taken in that order, so no walk, publication, handshake, debugfs read or
 * advertisement sees a mix of the two. With Xen the new area is then re-advertised (SPEC 7.3:
 * state = closing, new grants, channel and keys, state = ready); without Xen only that is skipped.
 *
 * Never while a handshake is in flight or holds pages: the swap happens only with the handshake word
 * IDLE, nothing held and no request queued, since dom0 may be waiting for an answer in the old area
 * or relying on held pages. Otherwise it is deferred; the handshake code calls sonic_grow_kick() when
 * the word returns to IDLE (release, hold timeout, resume), and unloading drops a deferred rebuild.
 * The new area starts as SPEC 7.1 says (gen 0, word (0, IDLE)) and gets a live set at once.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include "sonic_internal.h"

static void sonic_grow_workfn(struct work_struct *work);

static DEFINE_SPINLOCK(sonic_grow_lock); /* the flags below, and queueing the work */
static bool sonic_grow_enabled;          /* from the end of load to the start of unload */
static bool sonic_grow_wanted;           /* memory above pfn_count was onlined; not yet covered */
static DECLARE_WORK(sonic_grow_work, sonic_grow_workfn);

/* statistics, written by the work only */
static u64 sonic_grows, sonic_grow_deferrals, sonic_grow_last_ns, sonic_grow_from_pfns;
static int sonic_grow_err;

static void sonic_grow_queue_locked(void)
{
	if (sonic_grow_enabled && sonic_grow_wanted)
		queue_work(system_unbound_wq, &sonic_grow_work);
}

/* Memory notifier, MEM_ONLINE: [start_pfn, start_pfn + nr_pages) is online and in its zone's span. */
void sonic_grow_memory_online(unsigned long start_pfn, unsigned long nr_pages)
{
	if (start_pfn + nr_pages <= READ_ONCE(sonic.pfn_count))
		return;
	spin_lock(&sonic_grow_lock);
	sonic_grow_wanted = true;
	sonic_grow_queue_locked();
	spin_unlock(&sonic_grow_lock);
}

/* A handshake ended (word IDLE): a deferred rebuild may run now. */
void sonic_grow_kick(void)
{
	spin_lock(&sonic_grow_lock);
	sonic_grow_queue_locked();
	spin_unlock(&sonic_grow_lock);
}

/* End of load: memory onlined while loading is covered too. */
void sonic_grow_enable(void)
{
	spin_lock(&sonic_grow_lock);
	sonic_grow_enabled = true;
	if (sonic_guest_pfn_count() > sonic.pfn_count)
		sonic_grow_wanted = true;
	sonic_grow_queue_locked();
	spin_unlock(&sonic_grow_lock);
}

/* Start of unload: nothing is queued after this, and a running rebuild has finished. */
void sonic_grow_exit(void)
{
	spin_lock(&sonic_grow_lock);
	sonic_grow_enabled = false;
	spin_unlock(&sonic_grow_lock);
	cancel_work_sync(&sonic_grow_work);
}

/* With hs_lock held: whether dom0 may be waiting for an answer in this area or relying on held pages. */
static bool sonic_grow_handshake_busy(void)
{
	return SONIC_HS_STATE(sonic_load64(&sonic.hdr->handshake)) != SONIC_HS_IDLE || sonic_held_pages() ||
	       atomic_read(&sonic.request_pending);
}

/* Swaps in the new area; returns false (nothing changed) if a handshake is busy or it is not bigger. */
static bool sonic_grow_swap(struct sonic_area *fresh, struct sonic_area *old)
{
	bool swapped = false;

	mutex_lock(&sonic.hs_lock);
	if (sonic_grow_handshake_busy()) {
		spin_lock(&sonic_grow_lock);
		sonic_grow_wanted = true; /* sonic_grow_kick() queues it again */
		spin_unlock(&sonic_grow_lock);
		sonic_grow_deferrals++;
		goto out;
	}
	if (fresh->pfn_count <= sonic.pfn_count)
		goto out;
	mutex_lock(&sonic.pub_lock);
	sonic_xen_lock();
	sonic_area_take(old);
	sonic_hold_install_area(fresh);
	/* a new area's word starts at (0, IDLE) (SPEC 6.1) */
	sonic.seq = 0;
	sonic.final_count = 0;
	sonic.final_flags = 0;
	sonic_xen_readvertise_locked(old);
	sonic_xen_unlock();
	mutex_unlock(&sonic.pub_lock);
	swapped = true;
out:
	mutex_unlock(&sonic.hs_lock);
	return swapped;
}

static void sonic_grow_workfn(struct work_struct *work)
{
	struct sonic_area fresh, old;
	u64 t0 = ktime_get_ns(), want, had = READ_ONCE(sonic.pfn_count);
	int err;

	/* cleared before the spans are read: an onlining reported after this sets it again */
	spin_lock(&sonic_grow_lock);
	sonic_grow_wanted = false;
	spin_unlock(&sonic_grow_lock);
	if (READ_ONCE(sonic.stopping))
		return;
	want = sonic_guest_pfn_count();
	if (want <= had)
		return;
	err = sonic_area_build(&fresh, want, sonic_area_budget());
	if (err) {
		/* the added memory stays uncovered, i.e. hard for dom0: safe; the next onlining retries */
		sonic_grow_err = err;
		pr_err("memory added up to PFN %llu stays uncovered: building a %llu-PFN area failed (%d)\n",
		       want - 1, want, err);
		return;
	}
	if (!sonic_grow_swap(&fresh, &old)) {
		sonic_area_free(&fresh);
		return;
	}
	sonic_area_free(&old); /* pages given to the grant code are NULL there */
	sonic_debugfs_resized();
	sonic_publish_live();
	sonic_grows++;
	sonic_grow_err = 0;
	sonic_grow_from_pfns = old.pfn_count;
	sonic_grow_last_ns = ktime_get_ns() - t0;
	pr_info("memory added: area rebuilt for %llu PFNs (was %llu): %u pages (%s), in %llu us\n",
		sonic.pfn_count, old.pfn_count, sonic.area_pages, sonic_encoding_name(sonic.live.encoding),
		sonic_grow_last_ns / 1000);
}

void sonic_grow_stats(struct seq_file *m)
{
	bool wanted;

	spin_lock(&sonic_grow_lock);
	wanted = sonic_grow_wanted;
	spin_unlock(&sonic_grow_lock);
	seq_printf(m, "grows %llu\n", sonic_grows);
	seq_printf(m, "grow_pending %d\n", wanted);
	seq_printf(m, "grow_deferrals %llu\n", sonic_grow_deferrals);
	seq_printf(m, "grow_from_pfns %llu\n", sonic_grow_from_pfns);
	seq_printf(m, "grow_ns %llu\n", sonic_grow_last_ns);
	seq_printf(m, "grow_err %d\n", sonic_grow_err);
}
