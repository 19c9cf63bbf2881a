// SPDX-License-Identifier: GPL-2.0
/*
 * sonic_xen.c - sharing the hint area with dom0 (SPEC 7): read-only grants, a grant-reference
 * directory, an interdomain event channel, and the data/sonic/ keys in xenstore.
 *
 * Active only in a Xen HVM or PVH guest that is not dom0; elsewhere every entry point is a no-op
 * and the module runs locally. Everything starts from the xenstore-ready notifier: by then xenbus
 * and, for HVM, the platform device's grant table are initialised.
 *
 * After a suspend, Xen's resume notifier (drivers/xen/manage.c runs it after every suspend, cancelled
 * or not) schedules work that releases held pages and checks whether the domain is still the same one
 * (a cancelled suspend or a checkpoint) or a new one after migration, whose grants, channel and keys
 * are gone: a new domain has another domain id in xenstore, or does not have our event channel as an
 * unbound or interdomain channel to dom0 (which also tells a new domain that got the same id on
 * another host). A "state" key is no test: the old domain's keys may be copied or rewritten by anyone.
 * For a new domain the stale grant references and interrupt binding are dropped and the area is
 * advertised again (SPEC 7.3).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/interrupt.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include <xen/xen.h>
#include <xen/page.h>
#include <xen/grant_table.h>
#include <xen/events.h>
#include <xen/xenbus.h>
#include <xen/xen-ops.h>
#include <xen/interface/event_channel.h>
#include <asm/xen/hypercall.h>

#include "sonic_internal.h"

#define SONIC_XS_DIR "data/sonic"
#define SONIC_DOM0 0

struct sonic_xen {
	bool active;
	struct mutex lock;              /* advertise, resume and stop */
	spinlock_t irq_lock;            /* irq, as notify sees it */
	int irq;                        /* -1: not bound */
	evtchn_port_t port;
	grant_ref_t *area_refs;
	u32 n_area_refs;                /* area pages granted so far */
	struct page *dir_pages[SONIC_MAX_DIR_PAGES];
	grant_ref_t dir_refs[SONIC_MAX_DIR_PAGES];
	u32 n_dir;
	u32 n_dir_refs;                 /* directory pages granted so far */
	bool advertised;
	bool lease_watched;             /* lease_watch registered */
	long domid;                     /* our domain id when we advertised; -1: unknown */
	struct work_struct advertise_work;
	struct work_struct resume_work;
	struct notifier_block xs_nb;
	struct notifier_block resume_nb;
};

static struct sonic_xen sx = { .irq = -1, .domid = -1 };

/*
 * SPEC 4.4 (ABI 1.1): dom0 writes data/sonic/live-request = a lease in ms before its live passes,
 * rewrites it to renew, and 0 when the migration ends. A watch fires on every write (and once when
 * registered); a missing or unparsable value grants nothing, so only a lease dom0 wrote makes scans.
 */
static void sonic_xen_lease_changed(struct xenbus_watch *watch, const char *path, const char *token)
{
	char *s = xenbus_read(XBT_NIL, SONIC_XS_DIR, "live-request", NULL);
	unsigned int ms;

	if (IS_ERR(s))
		return;
	if (kstrtouint(s, 10, &ms))
		pr_warn_ratelimited("ignoring %s/live-request = \"%.16s\": not a lease in ms\n", SONIC_XS_DIR, s);
	else
		sonic_lease_grant(ms);
	kfree(s);
}

static struct xenbus_watch sonic_lease_watch = {
	.node = SONIC_XS_DIR "/live-request",	/* relative: under our own domain's home */
	.callback = sonic_xen_lease_changed,
};

/* Once, after the first advertisement; xenbus re-registers it by itself after a resume. */
static void sonic_xen_watch_lease(void)
{
	int err;

	if (sx.lease_watched || sonic_publish != SONIC_PUBLISH_ON_DEMAND)
		return;
	err = register_xenbus_watch(&sonic_lease_watch);
	if (err)
		pr_warn("cannot watch %s/live-request (%d): the live set is published only at load and by handshakes\n",
			SONIC_XS_DIR, err);
	else
		sx.lease_watched = true;
}

static void sonic_xen_unwatch_lease(void)
{
	if (sx.lease_watched)
		unregister_xenbus_watch(&sonic_lease_watch);
	sx.lease_watched = false;
}

/* Our domain id as the toolstack wrote it in our xenstore home ("domid"); -1 if unreadable. */
static long sonic_xen_read_domid(void)
{
	char *s = xenbus_read(XBT_NIL, "domid", "", NULL);
	long domid;

	if (IS_ERR(s))
		return -1;
	if (kstrtol(s, 10, &domid) || domid < 0)
		domid = -1;
	kfree(s);
	return domid;
}

/* SPEC 7.1: dom0 may ask us to keep clean cache (keep-cache = 1); missing or unreadable means drop. */
bool sonic_xen_keep_cache(void)
{
	char *s;
	bool keep;

	if (!sx.active)
		return false;
	s = xenbus_read(XBT_NIL, SONIC_XS_DIR, "keep-cache", NULL);
	if (IS_ERR(s))
		return false;
	keep = !strcmp(s, "1");
	kfree(s);
	return keep;
}

bool sonic_xen_active(void)
{
	return sx.active;
}

void sonic_xen_notify(void)
{
	unsigned long flags;

	spin_lock_irqsave(&sx.irq_lock, flags);
	if (sx.irq >= 0)
		notify_remote_via_irq(sx.irq);
	spin_unlock_irqrestore(&sx.irq_lock, flags);
}

/* dom0 -> guest: "request a final set". The handler only schedules the handshake. */
static irqreturn_t sonic_xen_interrupt(int irq, void *dev_id)
{
	sonic_request_async();
	return IRQ_HANDLED;
}

static int sonic_xen_grant_pages(void)
{
	u32 i, d;
	int ref;

	for (i = 0; i < sonic.area_pages; i++) {
		ref = gnttab_grant_foreign_access(SONIC_DOM0, xen_page_to_gfn(sonic.pages[i]), 1);
		if (ref < 0)
			return ref;
		sx.area_refs[i] = ref;
		sx.n_area_refs = i + 1;
	}
	for (d = 0; d < sx.n_dir; d++) {
		__le32 *slots = page_address(sx.dir_pages[d]);

		memset(slots, 0, PAGE_SIZE);
		for (i = 0; i < SONIC_REFS_PER_DIR_PAGE && d * SONIC_REFS_PER_DIR_PAGE + i < sonic.area_pages; i++)
			slots[i] = cpu_to_le32(sx.area_refs[d * SONIC_REFS_PER_DIR_PAGE + i]);
		ref = gnttab_grant_foreign_access(SONIC_DOM0, xen_page_to_gfn(sx.dir_pages[d]), 1);
		if (ref < 0)
			return ref;
		sx.dir_refs[d] = ref;
		sx.n_dir_refs = d + 1;
	}
	return 0;
}

/* Drops grant references that no longer mean anything (a new domain after migration, or a failed
 * advertisement before dom0 saw it); the pages stay ours. */
static void sonic_xen_forget_grants(void)
{
	u32 i;

	for (i = 0; i < sx.n_area_refs; i++)
		if (gnttab_end_foreign_access_ref(sx.area_refs[i]))
			gnttab_free_grant_reference(sx.area_refs[i]);
		else
			pr_warn("grant %u still in use; leaking it\n", sx.area_refs[i]);
	for (i = 0; i < sx.n_dir_refs; i++)
		if (gnttab_end_foreign_access_ref(sx.dir_refs[i]))
			gnttab_free_grant_reference(sx.dir_refs[i]);
		else
			pr_warn("grant %u still in use; leaking it\n", sx.dir_refs[i]);
	sx.n_area_refs = 0;
	sx.n_dir_refs = 0;
}

static int sonic_xen_bind_channel(void)
{
	struct evtchn_alloc_unbound alloc = { .dom = DOMID_SELF, .remote_dom = SONIC_DOM0 };
	unsigned long flags;
	int err, irq;

	err = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &alloc);
	if (err)
		return err;
	irq = bind_evtchn_to_irqhandler(alloc.port, sonic_xen_interrupt, 0, SONIC_NAME, &sx);
	if (irq < 0) {
		struct evtchn_close close = { .port = alloc.port };

		HYPERVISOR_event_channel_op(EVTCHNOP_close, &close);
		return irq;
	}
	spin_lock_irqsave(&sx.irq_lock, flags);
	sx.port = alloc.port;
	sx.irq = irq;
	spin_unlock_irqrestore(&sx.irq_lock, flags);
	return 0;
}

/* Unbinding closes the channel if it is still valid (it is not, after migration). */
static void sonic_xen_unbind_channel(void)
{
	unsigned long flags;
	int irq;

	spin_lock_irqsave(&sx.irq_lock, flags);
	irq = sx.irq;
	sx.irq = -1;
	spin_unlock_irqrestore(&sx.irq_lock, flags);
	if (irq >= 0)
		unbind_from_irqhandler(irq, &sx);
}

/* SPEC 7.1 step 4: every key in one transaction, "state" last. */
static int sonic_xen_write_keys(void)
{
	struct xenbus_transaction xbt;
	char dir_refs[SONIC_MAX_DIR_PAGES * 11 + 1];
	size_t used = 0;
	u32 d;
	int err;

	for (d = 0; d < sx.n_dir; d++)
		used += scnprintf(dir_refs + used, sizeof(dir_refs) - used, d ? " %u" : "%u", sx.dir_refs[d]);
again:
	err = xenbus_transaction_start(&xbt);
	if (err)
		return err;
	err = xenbus_printf(xbt, SONIC_XS_DIR, "abi", "%u.%u", SONIC_ABI_MAJOR, SONIC_ABI_MINOR);
	if (!err)
		err = xenbus_printf(xbt, SONIC_XS_DIR, "area-pages", "%u", sonic.area_pages);
	if (!err)
		err = xenbus_write(xbt, SONIC_XS_DIR, "dir-refs", dir_refs);
	if (!err)
		err = xenbus_printf(xbt, SONIC_XS_DIR, "event-channel", "%u", sx.port);
	if (!err)
		err = xenbus_write(xbt, SONIC_XS_DIR, "publish", sonic_publish_name());
	if (!err)
		err = xenbus_write(xbt, SONIC_XS_DIR, "state", "ready");
	if (err) {
		xenbus_transaction_end(xbt, 1);
		return err;
	}
	err = xenbus_transaction_end(xbt, 0);
	if (err == -EAGAIN)
		goto again;
	return err;
}

/* SPEC 7.1, called with sx.lock held. */
static int sonic_xen_advertise_locked(void)
{
	int err;

	err = sonic_xen_grant_pages();
	if (!err)
		err = sonic_xen_bind_channel();
	if (!err)
		err = sonic_xen_write_keys();
	if (err) {
		sonic_xen_unbind_channel();
		sonic_xen_forget_grants();
		pr_err("advertising the hint area to dom0 failed (%d)\n", err);
		return err;
	}
	sx.advertised = true;
	sx.domid = sonic_xen_read_domid();
	pr_info("hint area shared with dom0: %u pages, %u directory pages, event channel %u, domain %ld\n",
		sonic.area_pages, sx.n_dir, sx.port, sx.domid);
	return 0;
}

static void sonic_xen_advertise_workfn(struct work_struct *work)
{
	mutex_lock(&sx.lock);
	/* no area_refs: a re-advertisement after memory hot-add found no memory for them */
	if (!sx.advertised && sx.area_refs && !READ_ONCE(sonic.stopping) && !sonic_xen_advertise_locked())
		sonic_xen_watch_lease();
	mutex_unlock(&sx.lock);
}

/* Whether Xen still has our channel as one to dom0: it is gone in a new domain. */
static bool sonic_xen_channel_kept(void)
{
	struct evtchn_status st = { .dom = DOMID_SELF, .port = sx.port };

	if (HYPERVISOR_event_channel_op(EVTCHNOP_status, &st))
		return false;
	switch (st.status) {
	case EVTCHNSTAT_unbound:
		return st.u.unbound.dom == SONIC_DOM0;
	case EVTCHNSTAT_interdomain:
		return st.u.interdomain.dom == SONIC_DOM0;
	default:
		return false;
	}
}

static bool sonic_xen_same_domain(void)
{
	long domid = sonic_xen_read_domid();

	if (domid >= 0 && domid != sx.domid) {
		pr_info("resumed as domain %ld (was %ld): advertising the hint area again\n", domid, sx.domid);
		return false;
	}
	if (!sonic_xen_channel_kept()) {
		pr_info("resumed without event channel %u to dom0: advertising the hint area again\n", sx.port);
		return false;
	}
	return true;
}

static void sonic_xen_resume_workfn(struct work_struct *work)
{
	/* SPEC 4.4: a resume ends the lease; the dom0 that runs this domain now asks again if it wants. */
	sonic_lease_grant(0);
	sonic_after_resume();
	mutex_lock(&sx.lock);
	if (READ_ONCE(sonic.stopping)) {
		mutex_unlock(&sx.lock);
		return;
	}
	if (sx.advertised && sonic_xen_same_domain()) {
		mutex_unlock(&sx.lock);
		sonic_xen_notify(); /* the word went back to IDLE */
		return;
	}
	/* A new domain: re-advertise from scratch. */
	sonic_xen_unbind_channel();
	sonic_xen_forget_grants();
	sx.advertised = false;
	if (!sonic_xen_advertise_locked())
		sonic_xen_watch_lease();
	mutex_unlock(&sx.lock);
}

static int sonic_xen_xenstore_ready(struct notifier_block *nb, unsigned long event, void *data)
{
	queue_work(sonic.wq, &sx.advertise_work);
	return NOTIFY_DONE;
}

/* Xen's resume notifier: after every suspend of this domain, before devices resume; work does the rest. */
static int sonic_xen_resumed(struct notifier_block *nb, unsigned long event, void *data)
{
	queue_work(sonic.wq, &sx.resume_work);
	return NOTIFY_DONE;
}

/* Grant-reference slots and directory pages for the area in use (sonic.area_pages). */
static int sonic_xen_alloc_shape(void)
{
	u32 d;

	sx.n_dir = DIV_ROUND_UP(sonic.area_pages, SONIC_REFS_PER_DIR_PAGE);
	sx.area_refs = kvcalloc(sonic.area_pages, sizeof(*sx.area_refs), GFP_KERNEL);
	if (!sx.area_refs)
		goto nomem;
	for (d = 0; d < sx.n_dir; d++) {
		sx.dir_pages[d] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!sx.dir_pages[d])
			goto nomem;
	}
	return 0;
nomem:
	for (d = 0; d < sx.n_dir; d++) {
		if (sx.dir_pages[d])
			__free_page(sx.dir_pages[d]);
		sx.dir_pages[d] = NULL;
	}
	sx.n_dir = 0;
	kvfree(sx.area_refs);
	sx.area_refs = NULL;
	return -ENOMEM;
}

int sonic_xen_init(void)
{
	mutex_init(&sx.lock);
	spin_lock_init(&sx.irq_lock);
	if (!xen_hvm_domain() || xen_initial_domain()) {
		pr_info("not a Xen HVM/PVH guest; Xen sharing inactive\n");
		return 0;
	}
	if (sonic_xen_alloc_shape())
		return -ENOMEM;
	INIT_WORK(&sx.advertise_work, sonic_xen_advertise_workfn);
	INIT_WORK(&sx.resume_work, sonic_xen_resume_workfn);
	sx.xs_nb.notifier_call = sonic_xen_xenstore_ready;
	sx.resume_nb.notifier_call = sonic_xen_resumed;
	sx.active = true;
	xen_resume_notifier_register(&sx.resume_nb);
	register_xenstore_notifier(&sx.xs_nb);
	return 0;
}

/* Unload, first half (SPEC 7.3): tell dom0 the area is going, and stop events. */
void sonic_xen_stop(void)
{
	if (!sx.active)
		return;
	unregister_xenstore_notifier(&sx.xs_nb);
	xen_resume_notifier_unregister(&sx.resume_nb);
	cancel_work_sync(&sx.advertise_work);
	cancel_work_sync(&sx.resume_work);
	mutex_lock(&sx.lock);
	sonic_xen_unwatch_lease();
	if (sx.advertised)
		xenbus_write(XBT_NIL, SONIC_XS_DIR, "state", "closing");
	sonic_xen_unbind_channel();
	mutex_unlock(&sx.lock);
}

/*
 * Unload, second half, after the area is unmapped: end foreign access to every granted page. The
 * grant code takes the page and frees it once dom0 no longer maps it, so those entries of
 * sonic.pages become NULL here and the area code frees only the rest.
 */
void sonic_xen_release_pages(void)
{
	u32 i;

	if (!sx.active)
		return;
	for (i = 0; i < sx.n_area_refs; i++) {
		gnttab_end_foreign_access(sx.area_refs[i], sonic.pages[i]);
		sonic.pages[i] = NULL;
	}
	for (i = 0; i < sx.n_dir; i++) {
		if (i < sx.n_dir_refs)
			gnttab_end_foreign_access(sx.dir_refs[i], sx.dir_pages[i]);
		else
			__free_page(sx.dir_pages[i]);
		sx.dir_pages[i] = NULL;
	}
	sx.n_area_refs = 0;
	sx.n_dir_refs = 0;
	kvfree(sx.area_refs);
	sx.area_refs = NULL;
	sx.active = false;
}

/* Memory hot-add (sonic_grow.c) swaps the area under this lock: the advertisement sees one area. */
void sonic_xen_lock(void)
{
	mutex_lock(&sx.lock);
}

void sonic_xen_unlock(void)
{
	mutex_unlock(&sx.lock);
}

/* The old area's grants go to the grant code, which frees each page once dom0 no longer maps it. */
static void sonic_xen_end_old_grants(struct sonic_area *old, grant_ref_t *refs, u32 n_refs,
				     struct page **dir_pages, const grant_ref_t *dir_refs, u32 n_dir, u32 n_dir_refs)
{
	u32 i;

	for (i = 0; i < n_refs; i++) {
		gnttab_end_foreign_access(refs[i], old->pages[i]);
		old->pages[i] = NULL;
	}
	for (i = 0; i < n_dir; i++) {
		if (i < n_dir_refs)
			gnttab_end_foreign_access(dir_refs[i], dir_pages[i]);
		else
			__free_page(dir_pages[i]);
	}
	kvfree(refs);
}

/*
 * Memory hot-add, with sx.lock held: sonic.* is already the new area, old the one dom0 may have
 * mapped. SPEC 7.3: state = closing, then the new area's keys with state = ready (one transaction).
 * The new grant references and event channel are taken while the old ones are still held, so they
 * differ from the old advertisement's: dom0 tells the new area from the one it mapped by them. Then
 * the old grants are ended (an engine that still maps the old area keeps reading it, frozen: its live
 * set goes stale) and the old channel is closed (its handshake gets no answer: no final set). If the
 * area was never advertised (xenstore not ready yet), the advertisement work will show the new one.
 */
void sonic_xen_readvertise_locked(struct sonic_area *old)
{
	struct page *old_dir_pages[SONIC_MAX_DIR_PAGES];
	grant_ref_t old_dir_refs[SONIC_MAX_DIR_PAGES];
	grant_ref_t *old_refs = sx.area_refs;
	u32 old_n_refs = sx.n_area_refs, old_n_dir = sx.n_dir, old_n_dir_refs = sx.n_dir_refs;
	bool was_advertised = sx.advertised;
	unsigned long flags;
	int old_irq;

	if (!sx.active)
		return;
	memcpy(old_dir_pages, sx.dir_pages, sizeof(old_dir_pages));
	memcpy(old_dir_refs, sx.dir_refs, sizeof(old_dir_refs));
	memset(sx.dir_pages, 0, sizeof(sx.dir_pages));
	spin_lock_irqsave(&sx.irq_lock, flags);
	old_irq = sx.irq;
	sx.irq = -1;
	spin_unlock_irqrestore(&sx.irq_lock, flags);
	sx.area_refs = NULL;
	sx.n_area_refs = 0;
	sx.n_dir_refs = 0;
	sx.advertised = false;

	if (was_advertised)
		xenbus_write(XBT_NIL, SONIC_XS_DIR, "state", "closing");
	if (sonic_xen_alloc_shape())
		pr_err("no memory to advertise the rebuilt hint area; dom0 gets no hints\n");
	else if (was_advertised)
		sonic_xen_advertise_locked();
	sonic_xen_end_old_grants(old, old_refs, old_n_refs, old_dir_pages, old_dir_refs, old_n_dir, old_n_dir_refs);
	if (old_irq >= 0)
		unbind_from_irqhandler(old_irq, &sx);
}
