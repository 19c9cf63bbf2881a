// SPDX-License-Identifier: GPL-2.0
/*
 * sonic_main.c - module entry: parameters, the live publication (on dom0's demand or periodic),
 * load and unload.
 *
 * sonic_hint publishes the guest's soft pages (free pages and clean, unmapped page cache) in a hint
 * area laid out as SonicMigration guest ABI 1.1 (guest-module-spec/SPEC.md), answers suspend
 * handshakes with a final soft set, and shares the area with dom0 when running as a Xen HVM/PVH
 * guest. Without Xen it runs the same way, driven through debugfs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/kernel.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>
#include <linux/mm.h>
#include <linux/math64.h>

#include "sonic_internal.h"

/* Locks and counters that debugfs or the Xen interrupt can reach are valid before sonic_init runs. */
/* dom0 clamps a declared period to 10 s (SPEC 8.3); longer would only make the hint look stale. */
#define SONIC_PERIOD_MAX_MS 10000u
/* A longer lease is cut to this: dom0 renews every lease/3 anyway, and a dead dom0's lease must end. */
#define SONIC_LEASE_MAX_MS 600000u

struct sonic_state sonic = {
	.pub_lock = __MUTEX_INITIALIZER(sonic.pub_lock),
	.lease_lock = __SPIN_LOCK_UNLOCKED(sonic.lease_lock),
	.hs_lock = __MUTEX_INITIALIZER(sonic.hs_lock),
	.request_pending = ATOMIC_INIT(0),
};

unsigned int sonic_period_ms = 100;
unsigned int sonic_scan_cpu_pct = 2;
unsigned int sonic_hold_timeout_ms = 60000;
unsigned int sonic_budget_ms = 1500;
unsigned int sonic_hold_keep_kb = 16384;
int sonic_hold = SONIC_HOLD_AUTO;
bool sonic_drop_cache = true;
int sonic_publish = SONIC_PUBLISH_ON_DEMAND;
static unsigned int area_budget_kb = 16384;

static const char *const sonic_publish_names[] = {
	[SONIC_PUBLISH_ON_DEMAND] = "on-demand",
	[SONIC_PUBLISH_PERIODIC] = "periodic",
};

const char *sonic_publish_name(void)
{
	return sonic_publish_names[sonic_publish];
}

/* Whether a lease is live now; forgets an expired one. */
static bool sonic_lease_live_locked(void)
{
	if (sonic.lease_live && !time_before(jiffies, sonic.lease_end))
		sonic.lease_live = false;
	return sonic.lease_live;
}

/* Whether the periodic work may scan now: always when periodic, only under a live lease on demand. */
static bool sonic_may_scan(void)
{
	unsigned long flags;
	bool live;

	if (sonic_publish == SONIC_PUBLISH_PERIODIC)
		return true;
	spin_lock_irqsave(&sonic.lease_lock, flags);
	live = sonic_lease_live_locked();
	spin_unlock_irqrestore(&sonic.lease_lock, flags);
	return live;
}

unsigned int sonic_lease_left_ms(void)
{
	unsigned long flags;
	unsigned int left = 0;

	spin_lock_irqsave(&sonic.lease_lock, flags);
	if (sonic_lease_live_locked())
		left = jiffies_to_msecs(sonic.lease_end - jiffies);
	spin_unlock_irqrestore(&sonic.lease_lock, flags);
	return left;
}

/*
 * SPEC 4.4: a lease of ms milliseconds from now (a renewal replaces the end), or 0 to end it. A new
 * lease publishes at once, so dom0 sees a fresh set within one declared period of its request; the
 * scan work then re-arms itself while the lease lives and stops when it has ended. Called from the
 * xenstore watch (process context) and debugfs; never waits for a scan.
 */
void sonic_lease_grant(unsigned int ms)
{
	unsigned long flags;
	bool start = false;

	ms = min(ms, SONIC_LEASE_MAX_MS);
	spin_lock_irqsave(&sonic.lease_lock, flags);
	if (ms) {
		start = !sonic_lease_live_locked();
		sonic.lease_end = jiffies + msecs_to_jiffies(ms);
		sonic.lease_live = true;
		sonic.leases++;
	} else if (sonic_lease_live_locked()) {
		sonic.lease_live = false;
		sonic.lease_ends++;
	}
	spin_unlock_irqrestore(&sonic.lease_lock, flags);
	if (sonic_publish != SONIC_PUBLISH_ON_DEMAND || !sonic.wq || READ_ONCE(sonic.stopping))
		return;
	if (start && READ_ONCE(sonic_period_ms))
		mod_delayed_work(sonic.wq, &sonic.scan_work, 0);
	else if (!ms)
		cancel_delayed_work(&sonic.scan_work); /* a scan under way finishes and does not re-arm */
}

static int sonic_set_publish(const char *val, const struct kernel_param *kp)
{
	int mode;

	for (mode = 0; mode < ARRAY_SIZE(sonic_publish_names); mode++)
		if (sysfs_streq(val, sonic_publish_names[mode])) {
			sonic_publish = mode;
			return 0;
		}
	pr_err("publish=%s: use on-demand or periodic\n", val);
	return -EINVAL;
}

static int sonic_get_publish(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", sonic_publish_name());
}

static const struct kernel_param_ops sonic_publish_ops = {
	.set = sonic_set_publish,
	.get = sonic_get_publish,
};

/*
 * A new period takes effect at once: 0 stops the periodic publication (when the write returns, no
 * periodic scan is queued or running), anything else (re)starts it.
 */
static int sonic_set_period(const char *val, const struct kernel_param *kp)
{
	int err = param_set_uint(val, kp);

	if (err || !sonic.wq || READ_ONCE(sonic.stopping))
		return err;
	if (READ_ONCE(sonic_period_ms)) {
		if (sonic_may_scan())
			mod_delayed_work(sonic.wq, &sonic.scan_work, 0);
	} else
		cancel_delayed_work_sync(&sonic.scan_work);
	return 0;
}

static const struct kernel_param_ops sonic_period_ops = {
	.set = sonic_set_period,
	.get = param_get_uint,
};

static int sonic_set_hold(const char *val, const struct kernel_param *kp)
{
	int mode, err = kstrtoint(val, 0, &mode);

	if (err)
		return err;
	if (mode < SONIC_HOLD_NEVER || mode > SONIC_HOLD_AUTO)
		return -EINVAL;
	/* With init_on_alloc every held page is zeroed, i.e. dirtied and sent in the final round:
	 * holding would cost more than it saves, unless F3 requires it anyway. */
	if (mode == SONIC_HOLD_ALWAYS && sonic_hold_allocation_writes() &&
	    !(page_poisoning_enabled() || want_init_on_free())) {
		pr_err("hold=1 refused: init_on_alloc is on, so holding would zero (dirty) every held page; use hold=2 (auto) or boot with init_on_alloc=0\n");
		return -EINVAL;
	}
	WRITE_ONCE(sonic_hold, mode);
	return 0;
}

static const struct kernel_param_ops sonic_hold_ops = {
	.set = sonic_set_hold,
	.get = param_get_int,
};

module_param_cb(period_ms, &sonic_period_ops, &sonic_period_ms, 0644);
MODULE_PARM_DESC(period_ms, "shortest live soft set refresh period in ms, 0 = paused (default 100; see scan_cpu_pct)");
module_param_cb(publish, &sonic_publish_ops, &sonic_publish, 0444);
MODULE_PARM_DESC(publish, "live soft set: on-demand = only while dom0's lease is live (ABI 1.1, default), periodic = always (for ABI 1.0 dom0s)");
module_param_cb(hold, &sonic_hold_ops, &sonic_hold, 0644);
MODULE_PARM_DESC(hold, "final set: 0 = free pages found under the zone locks, 1 = hold (allocate) free pages, 2 = auto (default)");
module_param_named(scan_cpu_pct, sonic_scan_cpu_pct, uint, 0444);
MODULE_PARM_DESC(scan_cpu_pct, "share of one CPU the periodic live scan may take, 1..100; stretches the period up to 10 s (default 2)");
module_param_named(drop_cache, sonic_drop_cache, bool, 0644);
MODULE_PARM_DESC(drop_cache, "drop clean page cache before collecting the final set (default Y)");
module_param_named(budget_ms, sonic_budget_ms, uint, 0644);
MODULE_PARM_DESC(budget_ms, "handshake time budget in ms; a subset is published when it runs out (default 1500)");
module_param_named(hold_keep_kb, sonic_hold_keep_kb, uint, 0644);
MODULE_PARM_DESC(hold_keep_kb, "KiB left free above the zones' high watermarks when holding (default 16384)");
module_param_named(hold_timeout_ms, sonic_hold_timeout_ms, uint, 0444);
MODULE_PARM_DESC(hold_timeout_ms, "release a final set after this many ms without a suspend, 100..3600000 (default 60000)");
module_param(area_budget_kb, uint, 0444);
MODULE_PARM_DESC(area_budget_kb, "hint area budget in KiB, 8..65536; bitmaps while they fit, extents beyond (default 16384)");

/* Classifies every PFN privately, then copies the result into the area under the seqlock. */
void sonic_publish_live(void)
{
	struct sonic_scan_result res = { 0 };
	struct sonic_hint_header *h = sonic.hdr;
	u64 count, flags = SONIC_FLAG_FREE | SONIC_FLAG_CLEAN_CACHE;
	u64 t_pub;

	mutex_lock(&sonic.pub_lock);
	res.start_ns = ktime_get_ns();
	sonic_classify_live(sonic.scratch, &res);
	res.scan_ns = ktime_get_ns() - res.start_ns;
	count = sonic_encode_set(&sonic.live, sonic.scratch, sonic.pfn_count, &res.truncated);
	if (res.truncated)
		flags |= SONIC_FLAG_TRUNCATED;

	t_pub = ktime_get_ns();
	sonic_live_write_begin(h);
	sonic_copy_encoded(&sonic.live, sonic.scratch, count);
	sonic_store64(&h->live_flags, flags);
	sonic_store64(&h->live_time_ns, ktime_get_ns());
	sonic_live_write_end(h);
	res.publish_ns = ktime_get_ns() - t_pub;

	res.gen = h->gen;
	res.count = count;
	sonic.last = res;
	sonic.scans++;
	sonic.scan_ns_total += res.scan_ns;
	if (res.scan_ns > sonic.scan_ns_max)
		sonic.scan_ns_max = res.scan_ns;
	mutex_unlock(&sonic.pub_lock);
}

/* The delay after a scan that keeps the scan's share of one CPU at scan_cpu_pct. */
static u64 sonic_period_for_ms(u64 scan_ns)
{
	return div64_u64(scan_ns * 100, (u64)sonic_scan_cpu_pct * NSEC_PER_MSEC);
}

/*
 * The period the header declares (SPEC 4.1, static): period_ms, stretched so that a scan probing
 * every present page takes at most scan_cpu_pct of one CPU, and at most the 10 s dom0 accepts. The
 * full scan is estimated from the first scan's cost per probe, doubled: at load most probes are often
 * cheap free-block heads, while a probe of a used page also runs the clean-cache tests. An idle guest
 * of 64 GiB then scans every few seconds instead of spending half a CPU at 100 ms.
 */
static unsigned int sonic_declare_period(void)
{
	const struct sonic_scan_result *r = &sonic.last;
	u64 want;

	if (!sonic_period_ms)
		return 0;
	sonic.scan_est_full_ns = 2 * (r->probes ? div64_u64(r->scan_ns * sonic_present_pages(), r->probes) : r->scan_ns);
	want = max_t(u64, sonic_period_ms, sonic_period_for_ms(sonic.scan_est_full_ns));
	return min_t(u64, want, SONIC_PERIOD_MAX_MS);
}

/*
 * The period runs from the end of one publication to the start of the next: period_ms, or longer
 * if the last scan cost more than scan_cpu_pct of one CPU at that rate, but never longer than
 * declared, so dom0's staleness rule (SPEC 8.3) holds whatever the scan costs.
 */
static void sonic_scan_workfn(struct work_struct *work)
{
	unsigned int period;
	u64 delay;

	if (READ_ONCE(sonic.stopping) || !sonic_may_scan()) {
		WRITE_ONCE(sonic.period_now_ms, 0);
		return;
	}
	sonic_publish_live();
	WRITE_ONCE(sonic.periodic_scans, sonic.periodic_scans + 1);
	period = READ_ONCE(sonic_period_ms);
	if (!period || READ_ONCE(sonic.stopping) || !sonic_may_scan()) {
		WRITE_ONCE(sonic.period_now_ms, 0);
		return;
	}
	delay = max_t(u64, period, sonic_period_for_ms(sonic.last.scan_ns));
	if (sonic.period_declared_ms)
		delay = min_t(u64, delay, max(period, sonic.period_declared_ms));
	WRITE_ONCE(sonic.period_now_ms, delay);
	queue_delayed_work(sonic.wq, &sonic.scan_work, msecs_to_jiffies(delay));
}

static int __init sonic_init(void)
{
	u64 pfn_count = sonic_guest_pfn_count();
	int err;

	if (area_budget_kb < 8 || area_budget_kb > SONIC_MAX_AREA_PAGES * (SONIC_PAGE_SIZE / 1024)) {
		pr_err("area_budget_kb=%u is outside 8..%u\n", area_budget_kb,
		       SONIC_MAX_AREA_PAGES * (SONIC_PAGE_SIZE / 1024));
		return -EINVAL;
	}
	if (sonic_scan_cpu_pct < 1 || sonic_scan_cpu_pct > 100) {
		pr_err("scan_cpu_pct=%u is outside 1..100\n", sonic_scan_cpu_pct);
		return -EINVAL;
	}
	if (sonic_hold_timeout_ms < 100 || sonic_hold_timeout_ms > 3600000) {
		pr_err("hold_timeout_ms=%u is outside 100..3600000\n", sonic_hold_timeout_ms);
		return -EINVAL;
	}
	INIT_DELAYED_WORK(&sonic.scan_work, sonic_scan_workfn);
	sonic_handshake_init();
	err = sonic_area_create(pfn_count, (u64)area_budget_kb * 1024);
	if (err) {
		if (err == -E2BIG)
			pr_err("cannot build a hint area for %llu PFNs: the kernel's bitmap helpers handle fewer than 2^32\n",
			       pfn_count);
		else
			pr_err("cannot build a hint area for %llu PFNs (%d)\n", pfn_count, err);
		return err;
	}
	err = sonic_hotplug_init();
	if (err) {
		pr_err("cannot register the memory hotplug notifier (%d)\n", err);
		sonic_area_destroy();
		return err;
	}
	err = sonic_hold_init();
	if (err) {
		pr_err("cannot register the held-page shrinker and OOM notifier (%d)\n", err);
		sonic_hotplug_exit();
		sonic_area_destroy();
		return err;
	}
	sonic.wq = alloc_workqueue(SONIC_NAME, WQ_UNBOUND, 0);
	if (!sonic.wq) {
		sonic_hold_exit();
		sonic_hotplug_exit();
		sonic_area_destroy();
		return -ENOMEM;
	}
	sonic_publish_live();
	/* static header field: set before the area is advertised (Xen) or readable (debugfs) */
	sonic.period_declared_ms = sonic_declare_period();
	sonic.period_now_ms = sonic.period_declared_ms;
	sonic.hdr->publish_period_ms = sonic.period_declared_ms;
	sonic_wmb();
	err = sonic_debugfs_init();
	if (err)
		pr_warn("no debugfs interface (%d)\n", err);
	err = sonic_xen_init();
	if (err)
		pr_warn("Xen sharing not set up (%d); the area is local only\n", err);
	/* On demand, nothing is queued until dom0 grants a lease: no periodic work while idle. */
	if (sonic_period_ms && sonic_may_scan())
		queue_delayed_work(sonic.wq, &sonic.scan_work, msecs_to_jiffies(sonic.period_now_ms));
	else
		sonic.period_now_ms = 0;
	sonic_grow_enable();
	pr_info("publishing %s; %llu PFNs, area %u pages (%s), first scan %llu us: free %llu, clean cache %llu, hard %llu; full scan estimated %llu us, period %u ms\n",
		sonic_publish_name(), sonic.pfn_count, sonic.area_pages, sonic_encoding_name(sonic.live.encoding),
		sonic.last.scan_ns / 1000, sonic.last.free, sonic.last.cache, sonic.last.hard,
		sonic.scan_est_full_ns / 1000, sonic.period_declared_ms);
	return 0;
}

static void __exit sonic_exit(void)
{
	/* Under the parameter lock, so a concurrent period_ms write cannot re-arm the scan after this. */
	kernel_param_lock(THIS_MODULE);
	WRITE_ONCE(sonic.stopping, true);
	kernel_param_unlock(THIS_MODULE);
	sonic_grow_exit();
	cancel_delayed_work_sync(&sonic.scan_work);
	sonic_debugfs_exit();
	sonic_handshake_exit();
	sonic_hold_exit();
	sonic_xen_stop();
	destroy_workqueue(sonic.wq);
	sonic_hotplug_exit();
	sonic_area_destroy();
}

module_init(sonic_init);
module_exit(sonic_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("SonicMigration guest hint area: publishes free pages and clean page cache (ABI 1.1)");
MODULE_AUTHOR("SonicMigration project");
