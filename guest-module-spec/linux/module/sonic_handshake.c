// SPDX-License-Identifier: GPL-2.0
/*
 * sonic_handshake.c - the suspend handshake (SPEC 5 and 6): request, drop clean cache, collect the
 * final set (hold free pages, or find them under the zone locks), publish, and release.
 *
 * Dropping: the module writes "1" to /proc/sys/vm/drop_caches with kernel_write() from its
 * workqueue. That is the kernel's own, complete way to drop clean unmapped page cache: every
 * superblock including block devices, with the inode reference and locking rules of
 * drop_pagecache_sb(). Rebuilding it from exported pieces (iterate_supers_type() per file-system type
 * plus invalidate_mapping_pages() per inode) would mean walking sb->s_inodes under
 * s_inode_list_lock and re-doing that inode pinning by hand. The price: drop_caches drops all clean
 * cache, so the module never publishes a referenced set (SPEC 4.3). It needs procfs mounted at
 * /proc in the initial mount namespace; without it the final set is published without CLEAN_CACHE.
 *
 * drop_caches cannot be interrupted and takes as long as there is cache to drop (seconds for tens of
 * GiB), so it runs on a work item of its own and the handshake waits for it only until two thirds of
 * its budget have passed. If the drop is not done by then, the handshake collects what is free at
 * that moment (part of the dropped cache already is) and publishes without CLEAN_CACHE, in time; the
 * drop finishes in the background, and a handshake that comes meanwhile waits for that same drop
 * instead of starting another (but claims CLEAN_CACHE only for a drop it started itself).
 *
 * Holding: see sonic_hold.c. Free pages are held only when the kernel needs it (SPEC 5, F3: page
 * poisoning or init_on_free) or the administrator asked for it with hold=1 on a kernel whose
 * allocator does not write pages (init_on_alloc off); auto mode (hold=2) holds whenever holding is
 * free of writes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/vmstat.h>
#include <linux/bitmap.h>
#include <linux/completion.h>
#include <linux/math64.h>
#include <linux/sched.h>
#include <linux/timekeeping.h>

#include "sonic_internal.h"

static void sonic_notify(void)
{
	sonic_xen_notify();
}

static u32 sonic_hs_state_now(void)
{
	return SONIC_HS_STATE(sonic_load64(&sonic.hdr->handshake));
}

/*
 * Whether the kernel itself requires held pages (SPEC 5, F3), or holding is free. With init_on_alloc
 * (Debian's default) every held page would be zeroed once, i.e. written after dom0's last clean of
 * the dirty log and sent in the final round: worse than not holding.
 */
bool sonic_hold_auto_decision(const char **why)
{
	if (page_poisoning_enabled()) {
		*why = "page poisoning is on: free pages carry a pattern (F3)";
		return true;
	}
	if (want_init_on_free()) {
		*why = "init_on_free is on: allocation skips zeroing (F3)";
		return true;
	}
	if (sonic_hold_allocation_writes()) {
		*why = "init_on_alloc is on: holding would write every held page";
		return false;
	}
	*why = "allocation does not write pages";
	return true;
}

static bool sonic_hold_now(void)
{
	const char *why;
	bool needed = page_poisoning_enabled() || want_init_on_free();

	switch (READ_ONCE(sonic_hold)) {
	case SONIC_HOLD_NEVER:
		return needed; /* F3 overrides the administrator */
	case SONIC_HOLD_ALWAYS:
		return true;
	default:
		return sonic_hold_auto_decision(&why);
	}
}

static void sonic_release_held(void)
{
	sonic_hold_release_all();
}

/* Dropping takes at most this share of the handshake budget; the rest is for collecting. */
#define SONIC_DROP_SHARE_NUM 2
#define SONIC_DROP_SHARE_DEN 3

static int sonic_drop_caches(void)
{
	struct file *f;
	loff_t pos = 0;
	ssize_t n;

	f = filp_open("/proc/sys/vm/drop_caches", O_WRONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	n = kernel_write(f, "1", 1, &pos);
	filp_close(f, NULL);
	if (n < 0)
		return n;
	return n == 1 ? 0 : -EIO;
}

static void sonic_drop_workfn(struct work_struct *work)
{
	u64 t0 = ktime_get_ns();
	int err = sonic_drop_caches();

	WRITE_ONCE(sonic.drop_last_ns, ktime_get_ns() - t0);
	WRITE_ONCE(sonic.drop_result, err);
	complete_all(&sonic.drop_done);
}

/*
 * Drops clean cache, waiting until until_ns at the latest. Returns 0 if a drop this call started
 * completed, -ETIMEDOUT if it is still running, or the drop's error. Called with hs_lock held.
 */
static int sonic_drop_bounded(u64 until_ns)
{
	bool started = false;
	u64 now = ktime_get_ns();

	if (sonic.drop_running && completion_done(&sonic.drop_done))
		sonic.drop_running = false;
	if (!sonic.drop_running) {
		reinit_completion(&sonic.drop_done);
		sonic.drop_running = true;
		started = true;
		queue_work(sonic.wq, &sonic.drop_work);
	}
	if (until_ns <= now ||
	    !wait_for_completion_timeout(&sonic.drop_done, max(1ul, nsecs_to_jiffies(until_ns - now))))
		return -ETIMEDOUT;
	sonic.drop_running = false;
	if (!started)
		return -EALREADY; /* an earlier handshake's drop: it may have missed newer cache */
	return READ_ONCE(sonic.drop_result);
}

/* Pages a published set holds: the bitmap's population, or the extents' total length. */
static u64 sonic_published_pages(const struct sonic_set *set, u64 count, const u64 *bm)
{
	u64 i, pages = 0;

	if (set->encoding == SONIC_ENC_BITMAP)
		return count;
	for (i = 0; i < count; i++)
		pages += set->ext_buf[i].len;
	return pages;
}

static void sonic_arm_timeout(u32 seq)
{
	sonic.timeout_seq = seq;
	mod_delayed_work(sonic.wq, &sonic.timeout_work, msecs_to_jiffies(sonic_hold_timeout_ms));
}

/* One handshake, SPEC 6.2 steps 1-5. */
static void sonic_handshake_run(void)
{
	struct sonic_hint_header *h = sonic.hdr;
	u64 t0, deadline, found = 0, pages, count, flags = SONIC_FLAG_FREE;
	bool hold, complete, truncated;
	u32 seq;

	mutex_lock(&sonic.hs_lock);
	if (sonic.seq == U32_MAX) {
		pr_warn_once("handshake sequence exhausted; no more handshakes\n");
		goto out;
	}
	/* 1. Request: the word is visible (full barrier) before we look at memory. */
	seq = ++sonic.seq;
	sonic_hs_request(h, seq);
	sonic_notify();
	t0 = ktime_get_ns();
	deadline = t0 + (u64)READ_ONCE(sonic_budget_ms) * NSEC_PER_MSEC;

	/* 2. Drop clean cache; the final section is in flux from here on. */
	sonic_hs_set(h, seq, SONIC_HS_DROPPING, SONIC_FAIL_NONE);
	sonic.drop_ns = 0;
	sonic.drop_err = 1; /* not attempted */
	/* dom0's keep-cache wish (SPEC 7.1) is read here, when the request arrives */
	if (READ_ONCE(sonic_drop_cache) && !sonic_xen_keep_cache()) {
		u64 budget = deadline - t0;
		u64 rest = budget - div_u64(budget * SONIC_DROP_SHARE_NUM, SONIC_DROP_SHARE_DEN);

		sonic.drop_err = sonic_drop_bounded(deadline - rest);
		sonic.drop_ns = ktime_get_ns() - t0;
		/* a late wake-up from the wait must not eat the time for collecting */
		deadline = max(deadline, t0 + sonic.drop_ns + rest);
		if (!sonic.drop_err)
			flags |= SONIC_FLAG_CLEAN_CACHE;
		else if (sonic.drop_err == -ETIMEDOUT)
			pr_info_ratelimited("handshake %u: dropping clean cache takes longer than its share of the %u ms budget; publishing what is free now\n",
					    seq, sonic_budget_ms);
		else if (sonic.drop_err != -EALREADY)
			pr_warn_ratelimited("dropping clean cache failed (%d)\n", sonic.drop_err);
	}

	/* 3. Scan and hold: pages held from an earlier handshake stay in the set. */
	hold = sonic_hold_now();
	complete = hold ? sonic_hold_more(deadline) : true;
	sonic_hold_copy_bitmap(sonic.final_bm, sonic.pfn_count);
	if (!hold)
		complete = sonic_collect_free_locked(sonic.final_bm, deadline, &found);
	sonic.last_held = hold;

	pages = sonic_bitmap_weight(sonic.final_bm, sonic.pfn_count);
	if (!pages) {
		/* 5. Nothing to offer. */
		u32 reason = !complete ? SONIC_FAIL_TIMEOUT : SONIC_FAIL_NO_MEMORY;

		sonic.final_count = 0;
		sonic.final_flags = 0;
		sonic_hs_set(h, seq, SONIC_HS_FAILED, reason);
		sonic_notify();
		sonic_arm_timeout(seq);
		goto done;
	}
	if (!found)
		flags |= SONIC_FLAG_HELD; /* every page of the set is one we hold */

	/* 4. Publish, then make it valid with the word. */
	count = sonic_encode_set(&sonic.final, sonic.final_bm, sonic.pfn_count, &truncated);
	if (truncated)
		flags |= SONIC_FLAG_TRUNCATED;
	sonic_copy_encoded(&sonic.final, sonic.final_bm, count);
	sonic_store64(&h->final_flags, flags);
	sonic_store64(&h->final_time_ns, ktime_get_ns());
	sonic_hs_set(h, seq, SONIC_HS_FINAL_READY, SONIC_FAIL_NONE);
	sonic_notify();
	sonic.final_count = sonic_published_pages(&sonic.final, count, sonic.final_bm);
	sonic.final_flags = flags;
	sonic_arm_timeout(seq);
	if (!complete)
		pr_info_ratelimited("handshake %u ran out of its %u ms budget; published a subset\n",
				    seq, sonic_budget_ms);
done:
	sonic.hs_ns = ktime_get_ns() - t0;
	sonic.handshakes++;
out:
	mutex_unlock(&sonic.hs_lock);
}

/* Events coalesce (SPEC 6.2): one run per wake-up, and a request during a run starts another. */
static void sonic_hs_workfn(struct work_struct *work)
{
	while (atomic_xchg(&sonic.request_pending, 0) && !READ_ONCE(sonic.stopping))
		sonic_handshake_run();
}

/* Releases held pages and returns to IDLE when no suspend came in time (SPEC 6.4). */
static void sonic_timeout_workfn(struct work_struct *work)
{
	u32 state;

	mutex_lock(&sonic.hs_lock);
	state = sonic_hs_state_now();
	if (sonic.timeout_seq == sonic.seq && (state == SONIC_HS_FINAL_READY || state == SONIC_HS_FAILED)) {
		sonic_release_held();
		sonic_hs_set(sonic.hdr, sonic.seq, SONIC_HS_IDLE, SONIC_FAIL_NONE);
		sonic_notify();
		sonic_grow_kick();
	}
	mutex_unlock(&sonic.hs_lock);
}

/* Safe from interrupt context (the Xen event handler). */
void sonic_request_async(void)
{
	atomic_set(&sonic.request_pending, 1);
	queue_work(sonic.wq, &sonic.hs_work);
}

/* A request that returns once the handshake it started has ended (debugfs). */
int sonic_request_sync(void)
{
	if (READ_ONCE(sonic.stopping))
		return -ESHUTDOWN;
	sonic_request_async();
	flush_work(&sonic.hs_work);
	return 0;
}

/* RELEASE: free what is held and return to IDLE (legal from IDLE, FINAL_READY and FAILED). */
int sonic_release(void)
{
	u32 state;

	mutex_lock(&sonic.hs_lock);
	cancel_delayed_work(&sonic.timeout_work);
	state = sonic_hs_state_now();
	sonic_release_held();
	if (state != SONIC_HS_IDLE) {
		sonic_hs_set(sonic.hdr, sonic.seq, SONIC_HS_IDLE, SONIC_FAIL_NONE);
		sonic_notify();
	}
	sonic_grow_kick(); /* a rebuild deferred for this handshake may run now */
	mutex_unlock(&sonic.hs_lock);
	return 0;
}

/* After the domain resumed (destination, or a cancelled suspend): SPEC 6.4. */
void sonic_after_resume(void)
{
	sonic_release();
}

int sonic_handshake_init(void)
{
	INIT_WORK(&sonic.hs_work, sonic_hs_workfn);
	INIT_WORK(&sonic.drop_work, sonic_drop_workfn);
	init_completion(&sonic.drop_done);
	INIT_DELAYED_WORK(&sonic.timeout_work, sonic_timeout_workfn);
	return 0;
}

/* Unload: no handshake may be left half done, and nothing stays held (SPEC 7.3). */
void sonic_handshake_exit(void)
{
	u32 state;

	cancel_work_sync(&sonic.hs_work);
	cancel_delayed_work_sync(&sonic.timeout_work);
	/* a drop cannot be interrupted: unloading waits for one still running */
	flush_work(&sonic.drop_work);
	mutex_lock(&sonic.hs_lock);
	state = sonic_hs_state_now();
	sonic_release_held();
	if (state == SONIC_HS_REQUESTED || state == SONIC_HS_DROPPING)
		sonic_hs_set(sonic.hdr, sonic.seq, SONIC_HS_FAILED, SONIC_FAIL_DISABLED);
	else if (state != SONIC_HS_IDLE)
		sonic_hs_set(sonic.hdr, sonic.seq, SONIC_HS_IDLE, SONIC_FAIL_NONE);
	sonic_notify();
	mutex_unlock(&sonic.hs_lock);
}
