// SPDX-License-Identifier: GPL-2.0
/*
 * sonic_debugfs.c - /sys/kernel/debug/sonic_hint/: what dom0 would see, and the module's own view,
 * so the module can be exercised and checked without Xen.
 *
 *   area     r  the hint area itself (mmap read-only, like dom0's grant mapping, or read)
 *   live     r  bitmap of the last live classification, untruncated (pfn_count bits, LE words)
 *   final    r  bitmap of the last final set, untruncated
 *   held     r  bitmap of the pages held now
 *   stats    r  counts and timings, one "key value" per line
 *   scan     w  classify and publish the live set now (returns when published)
 *   request  w  run a handshake as if dom0 asked (returns when it ended)
 *   request_async w  queue a handshake and return at once, as dom0's event does (holds no module
 *                    reference while the handshake runs, so the module can be unloaded meanwhile)
 *   release  w  free held pages, back to IDLE
 *   lease    w  grant a lease of N ms as dom0's data/sonic/live-request does (0 ends it; SPEC 4.4)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "sonic_internal.h"

static struct dentry *sonic_dir;

/* Under pub_lock, which a rebuild of the area after memory hot-add holds while it swaps areas. */
static ssize_t sonic_area_read(struct file *f, char __user *buf, size_t len, loff_t *ppos)
{
	ssize_t n;

	mutex_lock(&sonic.pub_lock);
	n = simple_read_from_buffer(buf, len, ppos, sonic.hdr, (size_t)sonic.area_pages * PAGE_SIZE);
	mutex_unlock(&sonic.pub_lock);
	return n;
}

/* Read-only like dom0's mapping: a writable mapping is refused, and mprotect cannot add write. */
static int sonic_area_mmap(struct file *f, struct vm_area_struct *vma)
{
	int err;

	if (vma->vm_flags & VM_WRITE)
		return -EPERM;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_clear(vma, VM_MAYWRITE);	/* vm_flags became read-only outside the helpers */
#else
	vma->vm_flags &= ~VM_MAYWRITE;
#endif
	/* the mapping takes a reference on each page: an area replaced later stays readable, frozen */
	mutex_lock(&sonic.pub_lock);
	err = vm_map_pages(vma, sonic.pages, sonic.area_pages);
	mutex_unlock(&sonic.pub_lock);
	return err;
}

static const struct file_operations sonic_area_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = sonic_area_read,
	.mmap = sonic_area_mmap,
	.llseek = default_llseek,
};

/* bm is read under lock: a rebuild after memory hot-add replaces the bitmaps under that lock. */
static ssize_t sonic_read_bitmap(char __user *buf, size_t len, loff_t *ppos, struct mutex *lock,
				 u64 *const *bm)
{
	ssize_t n;

	mutex_lock(lock);
	n = simple_read_from_buffer(buf, len, ppos, *bm, sonic.bitmap_bytes);
	mutex_unlock(lock);
	return n;
}

static ssize_t sonic_live_read(struct file *f, char __user *buf, size_t len, loff_t *ppos)
{
	return sonic_read_bitmap(buf, len, ppos, &sonic.pub_lock, &sonic.scratch);
}

static ssize_t sonic_final_read(struct file *f, char __user *buf, size_t len, loff_t *ppos)
{
	return sonic_read_bitmap(buf, len, ppos, &sonic.hs_lock, &sonic.final_bm);
}

/* The held bitmap changes under a spinlock (reclaim may give pages back at any time): read a copy. */
static ssize_t sonic_held_read(struct file *f, char __user *buf, size_t len, loff_t *ppos)
{
	/* the area may be rebuilt bigger meanwhile (memory hot-add): one size for the whole read */
	size_t bytes = READ_ONCE(sonic.bitmap_bytes);
	u64 *copy = kvzalloc(bytes, GFP_KERNEL);
	ssize_t n;

	if (!copy)
		return -ENOMEM;
	sonic_hold_copy_bitmap(copy, (u64)bytes * 8);
	n = simple_read_from_buffer(buf, len, ppos, copy, bytes);
	kvfree(copy);
	return n;
}

#define SONIC_BITMAP_FOPS(name, readfn)                 \
	static const struct file_operations name = {    \
		.owner = THIS_MODULE,                   \
		.open = simple_open,                    \
		.read = readfn,                         \
		.llseek = default_llseek,               \
	}

SONIC_BITMAP_FOPS(sonic_live_fops, sonic_live_read);
SONIC_BITMAP_FOPS(sonic_final_fops, sonic_final_read);
SONIC_BITMAP_FOPS(sonic_held_fops, sonic_held_read);

static int sonic_stats_show(struct seq_file *m, void *unused)
{
	const char *why;
	bool auto_hold = sonic_hold_auto_decision(&why);
	u64 word, back_shrinker, back_oom;

	mutex_lock(&sonic.pub_lock);
	seq_printf(m, "abi %u.%u\n", SONIC_ABI_MAJOR, SONIC_ABI_MINOR);
	seq_printf(m, "pfn_count %llu\n", sonic.pfn_count);
	seq_printf(m, "area_pages %u\n", sonic.area_pages);
	seq_printf(m, "encoding %s\n", sonic_encoding_name(sonic.live.encoding));
	seq_printf(m, "publish %s\n", sonic_publish_name());
	seq_printf(m, "lease_left_ms %u\n", sonic_lease_left_ms());
	seq_printf(m, "leases %llu\n", READ_ONCE(sonic.leases));
	seq_printf(m, "lease_ends %llu\n", READ_ONCE(sonic.lease_ends));
	seq_printf(m, "periodic_scans %llu\n", READ_ONCE(sonic.periodic_scans));
	seq_printf(m, "period_ms %u\n", READ_ONCE(sonic_period_ms));
	seq_printf(m, "period_declared_ms %u\n", sonic.period_declared_ms);
	seq_printf(m, "period_now_ms %u\n", READ_ONCE(sonic.period_now_ms));
	seq_printf(m, "scan_cpu_pct %u\n", sonic_scan_cpu_pct);
	seq_printf(m, "scan_est_full_ns %llu\n", sonic.scan_est_full_ns);
	seq_printf(m, "scan_probes %llu\n", sonic.last.probes);
	seq_printf(m, "gen %llu\n", sonic.last.gen);
	seq_printf(m, "scans %llu\n", sonic.scans);
	seq_printf(m, "scan_free %llu\n", sonic.last.free);
	seq_printf(m, "scan_cache %llu\n", sonic.last.cache);
	seq_printf(m, "scan_hard %llu\n", sonic.last.hard);
	seq_printf(m, "scan_start_ns %llu\n", sonic.last.start_ns);
	seq_printf(m, "scan_ns %llu\n", sonic.last.scan_ns);
	seq_printf(m, "scan_ns_max %llu\n", sonic.scan_ns_max);
	seq_printf(m, "scan_ns_avg %llu\n", sonic.scans ? sonic.scan_ns_total / sonic.scans : 0);
	seq_printf(m, "publish_ns %llu\n", sonic.last.publish_ns);
	seq_printf(m, "live_count %llu\n", sonic.last.count);
	seq_printf(m, "live_truncated %d\n", sonic.last.truncated);
	mutex_unlock(&sonic.pub_lock);

	mutex_lock(&sonic.hs_lock);
	word = sonic_load64(&sonic.hdr->handshake);
	seq_printf(m, "hs_seq %u\n", SONIC_HS_SEQ(word));
	seq_printf(m, "hs_state %u\n", SONIC_HS_STATE(word));
	seq_printf(m, "hs_reason %u\n", SONIC_HS_REASON(word));
	seq_printf(m, "handshakes %llu\n", sonic.handshakes);
	seq_printf(m, "hs_ns %llu\n", sonic.hs_ns);
	seq_printf(m, "drop_ns %llu\n", sonic.drop_ns);
	seq_printf(m, "drop_err %d\n", sonic.drop_err);
	seq_printf(m, "drop_running %d\n", sonic.drop_running && !completion_done(&sonic.drop_done));
	seq_printf(m, "drop_last_ns %llu\n", READ_ONCE(sonic.drop_last_ns));
	seq_printf(m, "hold_param %d\n", READ_ONCE(sonic_hold));
	seq_printf(m, "hold_auto %s\n", auto_hold ? "held" : "scan");
	seq_printf(m, "hold_auto_reason %s\n", why);
	seq_printf(m, "last_held %d\n", sonic.last_held);
	seq_printf(m, "held_pages %lu\n", sonic_held_pages());
	sonic_hold_counters(&back_shrinker, &back_oom);
	seq_printf(m, "given_back_shrinker %llu\n", back_shrinker);
	seq_printf(m, "given_back_oom %llu\n", back_oom);
	seq_printf(m, "init_on_alloc %d\n", sonic_hold_allocation_writes());
	seq_printf(m, "final_count %llu\n", sonic.final_count);
	seq_printf(m, "final_flags %llu\n", sonic.final_flags);
	mutex_unlock(&sonic.hs_lock);

	sonic_grow_stats(m);
	seq_printf(m, "xen_active %d\n", sonic_xen_active());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sonic_stats);

static ssize_t sonic_scan_write(struct file *f, const char __user *buf, size_t len, loff_t *ppos)
{
	if (READ_ONCE(sonic.stopping))
		return -ESHUTDOWN;
	sonic_publish_live();
	return len;
}

static ssize_t sonic_request_write(struct file *f, const char __user *buf, size_t len, loff_t *ppos)
{
	int err = sonic_request_sync();

	return err ? err : len;
}

static ssize_t sonic_request_async_write(struct file *f, const char __user *buf, size_t len, loff_t *ppos)
{
	if (READ_ONCE(sonic.stopping))
		return -ESHUTDOWN;
	sonic_request_async();
	return len;
}

static ssize_t sonic_release_write(struct file *f, const char __user *buf, size_t len, loff_t *ppos)
{
	int err = sonic_release();

	return err ? err : len;
}

/* The same lease dom0 grants through xenstore, so the kernel test can drive it without Xen. */
static ssize_t sonic_lease_write(struct file *f, const char __user *buf, size_t len, loff_t *ppos)
{
	unsigned int ms;
	int err = kstrtouint_from_user(buf, len, 10, &ms);

	if (err)
		return err;
	if (READ_ONCE(sonic.stopping))
		return -ESHUTDOWN;
	sonic_lease_grant(ms);
	return len;
}

#define SONIC_TRIGGER_FOPS(name, writefn)               \
	static const struct file_operations name = {    \
		.owner = THIS_MODULE,                   \
		.open = simple_open,                    \
		.write = writefn,                       \
		.llseek = noop_llseek,                  \
	}

SONIC_TRIGGER_FOPS(sonic_scan_fops, sonic_scan_write);
SONIC_TRIGGER_FOPS(sonic_request_fops, sonic_request_write);
SONIC_TRIGGER_FOPS(sonic_request_async_fops, sonic_request_async_write);
SONIC_TRIGGER_FOPS(sonic_release_fops, sonic_release_write);
SONIC_TRIGGER_FOPS(sonic_lease_fops, sonic_lease_write);

int sonic_debugfs_init(void)
{
	struct dentry *area;

	sonic_dir = debugfs_create_dir(SONIC_NAME, NULL);
	if (IS_ERR(sonic_dir))
		return PTR_ERR(sonic_dir);
	/* _unsafe: the open proxy hands over the real fops, which mmap needs. Removal is safe anyway:
	 * an open file or a mapping holds a module reference, and the area outlives the files. */
	area = debugfs_create_file_unsafe("area", 0400, sonic_dir, NULL, &sonic_area_fops);
	if (IS_ERR(area))
		return PTR_ERR(area);
	d_inode(area)->i_size = (loff_t)sonic.area_pages * PAGE_SIZE;
	debugfs_create_file_size("live", 0400, sonic_dir, NULL, &sonic_live_fops, sonic.bitmap_bytes);
	debugfs_create_file_size("final", 0400, sonic_dir, NULL, &sonic_final_fops, sonic.bitmap_bytes);
	debugfs_create_file_size("held", 0400, sonic_dir, NULL, &sonic_held_fops, sonic.bitmap_bytes);
	debugfs_create_file("stats", 0400, sonic_dir, NULL, &sonic_stats_fops);
	debugfs_create_file("scan", 0200, sonic_dir, NULL, &sonic_scan_fops);
	debugfs_create_file("request", 0200, sonic_dir, NULL, &sonic_request_fops);
	debugfs_create_file("request_async", 0200, sonic_dir, NULL, &sonic_request_async_fops);
	debugfs_create_file("release", 0200, sonic_dir, NULL, &sonic_release_fops);
	debugfs_create_file("lease", 0200, sonic_dir, NULL, &sonic_lease_fops);
	return 0;
}

/* After memory hot-add rebuilt the area (sonic_grow.c): the files' sizes follow the new area. */
void sonic_debugfs_resized(void)
{
	static const char *const bitmaps[] = { "live", "final", "held" };
	struct dentry *d;
	unsigned int i;

	if (IS_ERR_OR_NULL(sonic_dir))
		return;
	d = debugfs_lookup("area", sonic_dir);
	if (!IS_ERR_OR_NULL(d)) {
		i_size_write(d_inode(d), (loff_t)sonic.area_pages * PAGE_SIZE);
		dput(d);
	}
	for (i = 0; i < ARRAY_SIZE(bitmaps); i++) {
		d = debugfs_lookup(bitmaps[i], sonic_dir);
		if (!IS_ERR_OR_NULL(d)) {
			i_size_write(d_inode(d), sonic.bitmap_bytes);
			dput(d);
		}
	}
}

void sonic_debugfs_exit(void)
{
	debugfs_remove(sonic_dir);
	sonic_dir = NULL;
}
