/*
 * sonic-check - runs inside the test guest and checks sonic_hint.ko against the kernel's own view of
 * every page (/proc/kpageflags, /proc/kpagecount, /proc/meminfo).
 *
 * It reads the hint area the way dom0 does: a read-only mapping of the area (debugfs "area"), the
 * seqlock protocol for the live set and the handshake-word re-check for the final set, using the
 * helpers of guest-module-spec/include/sonic_hint.h, and validates the header and both sets (SPEC 8.1).
 *
 *   sonic-check hog ANON FILE MAP DIRTY     touch ANON MiB of anonymous memory, map every other page
 *                                           of FILE's first MAP MiB, dirty every other page of the next
 *                                           DIRTY MiB, print READY, then sleep forever
 *   sonic-check live ROUNDS [MIN_CACHE_MIB] soft set vs kpageflags: (a) free ~ MemFree, (b) clean
 *                                           cache ~ kpageflags, (c) nothing hard reported soft
 *   sonic-check handshake held|scan         (d) final set = free or held pages; MemFree grows by the
 *                                           dropped cache; (e) no zone below its high watermark
 *                                           while pages are held
 *   sonic-check timeout                     a held final set is released after hold_timeout_ms
 *   sonic-check extents                     the extent encoding: validity, truncation, longest runs
 *   sonic-check budget MIN_CACHE_MIB        a handshake answers within a 20 ms budget although
 *                                           dropping the cache takes longer
 *   sonic-check churn held|scan PID FILE ROUNDS
 *                                           handshakes while memory churns: none lists the workload's
 *                                           anonymous memory; held ones list every page still held
 *   sonic-check period                      the declared period follows scan_cpu_pct and holds
 *   sonic-check ondemand                    publish=on-demand: no scan without a lease, a lease
 *                                           publishes within one declared period, expires, and 0 ends it
 *   sonic-check hotadd OLD_PFNS NEW_END     memory added above the load's span: the area was rebuilt to
 *                                           cover it, the live and final sets list its free pages
 *   sonic-check refuse                      hold=1 is refused on a kernel with init_on_alloc
 *   sonic-check pressure shrinker|oom       held pages go back when a process needs the memory: through
 *                                           the shrinker, or (shrinker off) the OOM notifier, no kill
 *
 * Every check prints "RESULT <name> PASS|FAIL key=value ..." and exits 0 only on PASS.
 *
 * Races. Each check reads kpageflags once before (A) and once after (B) the module's scan. A soft
 * page whose class in B is soft (free, or clean cache for the live set) is right. One whose class
 * changed between A and B was alive during the scan: the scan may have seen it soft, so it is a
 * race, counted. A page that is in the same hard class in A and B, where that class is anonymous,
 * shmem, dirty/writeback/locked file, mapped file, reserved or a hole, is a VIOLATION: nothing in the
 * test frees and re-creates such pages. Kernel-only classes (slab, page tables, untyped kernel pages)
 * can be freed and re-allocated within the window without a trace; they are counted as kernel races
 * and bounded together with the other races (RACE_LIMIT).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "sonic_hint.h"

#define DBG "/sys/kernel/debug/sonic_hint/"
#define PARAMS "/sys/module/sonic_hint/parameters/"

/* kpageflags bits (include/uapi/linux/kernel-page-flags.h) */
enum {
	KPF_LOCKED = 0, KPF_DIRTY = 4, KPF_LRU = 5, KPF_SLAB = 7, KPF_WRITEBACK = 8, KPF_BUDDY = 10,
	KPF_MMAP = 11, KPF_ANON = 12, KPF_SWAPBACKED = 14, KPF_UNEVICTABLE = 18, KPF_NOPAGE = 20,
	KPF_PGTABLE = 26, KPF_RESERVED = 32, KPF_MLOCKED = 33,
};
#define BIT(b) (1ULL << (b))

/* Page classes, first match wins (data/linux61-guest/README.md, plus unevictable file as pinned). */
enum kind { K_HOLE, K_FREE, K_SLAB, K_PGTABLE, K_ANON, K_SHMEM, K_PINNED_FILE, K_MAPPED_FILE, K_CLEAN,
	    K_RESERVED, K_OTHER, K_NKINDS };
static const char *const kind_name[K_NKINDS] = { "hole", "free", "slab", "pgtable", "anon", "shmem",
	"dirty_file", "mapped_file", "clean", "reserved", "other" };
/* classes nothing in the test frees and re-creates: a soft report in A and B is a bug */
static const bool kind_stable_hard[K_NKINDS] = { [K_HOLE] = true, [K_ANON] = true, [K_SHMEM] = true,
	[K_PINNED_FILE] = true, [K_MAPPED_FILE] = true, [K_RESERVED] = true };

/* Races (class changed between A and B) plus kernel races allowed per check: 1% of the set + 64. */
#define RACE_LIMIT(n) ((n) / 100 + 64)

static uint64_t pfn_count, bm_words;
static uint64_t *area_pfns;  /* PFNs of the area's pages (from /proc/self/pagemap of our mapping) */
static uint32_t area_npages;
static uint64_t *kpf_a, *kpc_a, *kpf_b, *kpc_b;
static const struct sonic_hint_header *area;
static size_t area_bytes;

/* ---------------------------------------------------------------- small utilities */

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("sonic-check: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *xalloc(size_t bytes)
{
	void *p = aligned_alloc(4096, (bytes + 4095) / 4096 * 4096);

	if (!p)
		die("out of memory (%zu bytes)", bytes);
	memset(p, 0, bytes); /* touch now: no page faults between the snapshots later */
	return p;
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		die("write %s to %s: %s", text, path, strerror(errno));
	close(fd);
}

static size_t read_file(const char *path, void *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	size_t got = 0;

	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);

		if (n < 0)
			die("read %s: %s", path, strerror(errno));
		if (n == 0)
			break;
		got += n;
	}
	close(fd);
	return got;
}

/* The integer of a "key value" line of a file (debugfs stats, /proc/vmstat). */
static uint64_t key_value_u64(const char *path, const char *key)
{
	static char text[16384];
	size_t n = read_file(path, text, sizeof(text) - 1);
	size_t klen = strlen(key);
	char *line;

	text[n] = 0;
	for (line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (!strncmp(line, key, klen) && line[klen] == ' ')
			return strtoull(line + klen + 1, NULL, 10);
	die("%s has no %s", path, key);
}

static uint64_t stat_u64(const char *key)
{
	return key_value_u64(DBG "stats", key);
}

static uint64_t meminfo_kb(const char *key)
{
	char text[8192], *p;
	size_t n = read_file("/proc/meminfo", text, sizeof(text) - 1);

	text[n] = 0;
	p = strstr(text, key);
	if (!p)
		die("no %s in /proc/meminfo", key);
	return strtoull(p + strlen(key), NULL, 10);
}

static uint64_t memfree_kb(void)
{
	return meminfo_kb("MemFree:");
}

/* GiB of RAM the kernel manages: what a cost "per GiB" of guest is measured against (the PFN span
 * also counts the hole below 4 GiB, which the walks skip a section at a time). */
static double ram_gib(void)
{
	return meminfo_kb("MemTotal:") / 1048576.0;
}

static void set_param(const char *name, const char *value)
{
	char path[256];

	snprintf(path, sizeof(path), PARAMS "%s", name);
	write_file(path, value);
}

/*
 * One line per zone: free pages and watermarks from /proc/zoneinfo. Returns the sum of the zones'
 * low watermarks: in 6.1 the per-cpu free lists of a zone together hold at most that many pages.
 */
static uint64_t print_zones(const char *when)
{
	static char text[65536];
	size_t n = read_file("/proc/zoneinfo", text, sizeof(text) - 1);
	char *line, *save = NULL, zone[32] = "";
	unsigned long long v[4] = { 0 };
	uint64_t low_sum = 0;

	text[n] = 0;
	if (when)
		printf("  zones %s:", when);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[32];

		if (sscanf(line, "Node %*d, zone %31s", name) == 1) {
			snprintf(zone, sizeof(zone), "%s", name);
			memset(v, 0, sizeof(v));
		} else if (sscanf(line, " pages free %llu", &v[0]) == 1 || sscanf(line, " min %llu", &v[1]) == 1 ||
			   sscanf(line, " low %llu", &v[2]) == 1) {
		} else if (sscanf(line, " high %llu", &v[3]) == 1 && v[0] + v[1]) {
			if (when)
				printf(" %s free=%llu min=%llu low=%llu high=%llu", zone, v[0], v[1], v[2], v[3]);
			low_sum += v[2];
		}
	}
	if (when)
		putchar('\n');
	return low_sum;
}

/*
 * Zones whose free pages are below their high watermark right now, named into names; returns their
 * number. While pages are held every zone must stay at or above it (SPEC 5: the guest must not starve).
 */
static unsigned int zones_below_high(char *names, size_t len)
{
	static char text[65536];
	size_t n = read_file("/proc/zoneinfo", text, sizeof(text) - 1);
	char *line, *save = NULL, zone[32] = "";
	unsigned long long free = 0, high;
	unsigned int below = 0;

	text[n] = 0;
	names[0] = 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[32];

		if (sscanf(line, "Node %*d, zone %31s", name) == 1) {
			snprintf(zone, sizeof(zone), "%s", name);
			free = 0;
		} else if (sscanf(line, " pages free %llu", &free) == 1) {
		} else if (sscanf(line, " high %llu", &high) == 1 && high && free < high) {
			below++;
			snprintf(names + strlen(names), len - strlen(names), " %s(free=%llu,high=%llu)", zone, free, high);
		}
	}
	return below;
}

/* Free pages sitting on the per-cpu lists (the "count:" of every pageset in /proc/zoneinfo): free,
 * but neither in the buddy allocator nor in MemFree. */
static uint64_t pcp_pages(void)
{
	static char text[65536];
	size_t n = read_file("/proc/zoneinfo", text, sizeof(text) - 1);
	char *line, *save = NULL;
	uint64_t total = 0;
	unsigned long long c;

	text[n] = 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, " count: %llu", &c) == 1)
			total += c;
	return total;
}

/* ---------------------------------------------------------------- bitmaps */

static uint64_t *bm_new(void)
{
	return xalloc(bm_words * 8);
}

static bool bm_test(const uint64_t *bm, uint64_t pfn)
{
	return (bm[pfn >> 6] >> (pfn & 63)) & 1;
}

static uint64_t bm_weight(const uint64_t *bm)
{
	uint64_t w = 0, i;

	for (i = 0; i < bm_words; i++)
		w += __builtin_popcountll(bm[i]);
	return w;
}

/* Runs of set bits, calling fn(start, len) for each, in order; returns the number of runs. */
static uint64_t bm_runs(const uint64_t *bm, void (*fn)(uint64_t, uint64_t, void *), void *arg)
{
	uint64_t pfn = 0, runs = 0;

	while (pfn < pfn_count) {
		uint64_t start;

		while (pfn < pfn_count && !bm_test(bm, pfn)) {
			if (!(pfn & 63) && !bm[pfn >> 6])
				pfn += 64;
			else
				pfn++;
		}
		if (pfn >= pfn_count)
			break;
		start = pfn;
		while (pfn < pfn_count && bm_test(bm, pfn))
			pfn++;
		if (fn)
			fn(start, pfn - start, arg);
		runs++;
	}
	return runs;
}

/* ---------------------------------------------------------------- kpageflags */

static void read_u64_array(const char *path, uint64_t *out)
{
	int fd = open(path, O_RDONLY);
	uint64_t done = 0;

	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	while (done < pfn_count) {
		uint64_t want = pfn_count - done > 65536 ? 65536 : pfn_count - done;
		ssize_t n = pread(fd, out + done, want * 8, done * 8);

		if (n <= 0)
			die("read %s at PFN %" PRIu64 ": %s", path, done, n ? strerror(errno) : "short file");
		done += n / 8;
	}
	close(fd);
}

static void snapshot(uint64_t *flags, uint64_t *counts)
{
	read_u64_array("/proc/kpageflags", flags);
	read_u64_array("/proc/kpagecount", counts);
}

static enum kind kind_of(uint64_t f, uint64_t count)
{
	if (f & BIT(KPF_NOPAGE))
		return K_HOLE;
	if (f & BIT(KPF_BUDDY))
		return K_FREE;
	if (f & BIT(KPF_SLAB))
		return K_SLAB;
	if (f & BIT(KPF_PGTABLE))
		return K_PGTABLE;
	if (f & BIT(KPF_ANON))
		return K_ANON;
	if (f & BIT(KPF_SWAPBACKED))
		return K_SHMEM;
	if (f & BIT(KPF_LRU)) {
		if (f & (BIT(KPF_DIRTY) | BIT(KPF_WRITEBACK) | BIT(KPF_LOCKED) | BIT(KPF_UNEVICTABLE) |
			 BIT(KPF_MLOCKED)))
			return K_PINNED_FILE;
		if (count > 0 || (f & BIT(KPF_MMAP)))
			return K_MAPPED_FILE;
		return K_CLEAN;
	}
	if (f & BIT(KPF_RESERVED))
		return K_RESERVED;
	return K_OTHER;
}

static void count_kinds(const uint64_t *flags, const uint64_t *counts, uint64_t *per_kind)
{
	uint64_t pfn;

	memset(per_kind, 0, K_NKINDS * sizeof(*per_kind));
	for (pfn = 0; pfn < pfn_count; pfn++)
		per_kind[kind_of(flags[pfn], counts[pfn])]++;
}

/* ---------------------------------------------------------------- the area, as dom0 reads it */

static int failures;

static void __attribute__((format(printf, 2, 3))) expect(bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return;
	failures++;
	va_start(ap, fmt);
	fputs("  FAIL: ", stdout);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* The physical pages behind our mapping of the area: SPEC 3 says none of them may ever be soft. */
static void find_area_pfns(const void *map, uint32_t pages)
{
	int fd = open("/proc/self/pagemap", O_RDONLY);
	volatile uint8_t sink = 0;
	uint32_t i;

	if (fd < 0)
		die("open /proc/self/pagemap: %s", strerror(errno));
	area_pfns = calloc(pages, sizeof(*area_pfns));
	if (!area_pfns)
		die("out of memory");
	for (i = 0; i < pages; i++) {
		uint64_t entry;

		sink += ((const volatile uint8_t *)map)[(size_t)i * SONIC_PAGE_SIZE];
		if (pread(fd, &entry, 8, ((uintptr_t)map / SONIC_PAGE_SIZE + i) * 8) != 8)
			die("read /proc/self/pagemap: %s", strerror(errno));
		if (!(entry >> 63) || !(entry & ((1ULL << 55) - 1)))
			die("area page %u is not present in pagemap (entry %#" PRIx64 ")", i, entry);
		area_pfns[i] = entry & ((1ULL << 55) - 1);
	}
	(void)sink;
	area_npages = pages;
	close(fd);
}

static void check_area_not_soft(const uint64_t *bm, const char *name)
{
	uint32_t i, bad = 0;

	for (i = 0; i < area_npages; i++)
		if (area_pfns[i] < pfn_count && ((bm[area_pfns[i] >> 6] >> (area_pfns[i] & 63)) & 1))
			bad++;
	expect(bad == 0, "%s: %u of the area's own pages reported soft", name, bad);
}

static void open_area(void)
{
	struct sonic_hint_header h;
	int fd = open(DBG "area", O_RDONLY);
	void *map;

	if (fd < 0)
		die("open " DBG "area: %s (is sonic_hint loaded, debugfs mounted?)", strerror(errno));
	if (pread(fd, &h, sizeof(h), 0) != sizeof(h))
		die("short read of the area header");
	if (h.magic != SONIC_HINT_MAGIC || h.area_pages < 1 || h.area_pages > SONIC_MAX_AREA_PAGES)
		die("the area does not start with a plausible header");
	area_bytes = (size_t)h.area_pages * SONIC_PAGE_SIZE;
	map = mmap(NULL, area_bytes, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		die("mmap of the area: %s", strerror(errno));
	/* dom0's mapping is read-only; so must this one be, and stay */
	if (mmap(NULL, area_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) != MAP_FAILED)
		die("the area can be mapped writable");
	if (mprotect(map, area_bytes, PROT_READ | PROT_WRITE) == 0)
		die("the area's read-only mapping can be made writable");
	close(fd);
	area = map;
	pfn_count = h.pfn_count;
	bm_words = (pfn_count + 63) / 64;
	find_area_pfns(map, h.area_pages);
}

static bool desc_ok(const struct sonic_set_desc *d, const char *name, bool required)
{
	uint64_t end;

	if (d->encoding == SONIC_ENC_ABSENT) {
		expect(!required, "%s section absent", name);
		expect(!d->offset && !d->capacity && !d->count && !d->reserved, "absent %s descriptor not zero", name);
		return false;
	}
	expect(d->encoding == SONIC_ENC_BITMAP || d->encoding == SONIC_ENC_EXTENTS, "%s: encoding %u", name,
	       d->encoding);
	expect(d->offset % 8 == 0, "%s: offset %" PRIu64 " not 8-aligned", name, d->offset);
	expect(d->offset % SONIC_PAGE_SIZE == 0, "%s: offset %" PRIu64 " not page-aligned (SHOULD)", name,
	       d->offset);
	expect(d->reserved == 0, "%s: reserved %u", name, d->reserved);
	end = d->offset + d->capacity;
	expect(d->offset >= SONIC_HEADER_SIZE && end >= d->offset && end <= area_bytes,
	       "%s: [%" PRIu64 ", +%" PRIu64 ") outside the area", name, d->offset, d->capacity);
	if (d->encoding == SONIC_ENC_BITMAP)
		expect(d->capacity >= sonic_bitmap_bytes(pfn_count), "%s: bitmap capacity too small", name);
	else
		expect(d->capacity % 16 == 0, "%s: extent capacity not a multiple of 16", name);
	return true;
}

/* Static header checks (SPEC 2, 8.1); the live fields are checked on each read. */
static void check_header(void)
{
	const struct sonic_hint_header *h = area;
	int i;

	expect(h->magic == SONIC_HINT_MAGIC, "magic");
	expect(h->abi_major == 1 && h->abi_minor == SONIC_ABI_MINOR, "abi %u.%u", h->abi_major, h->abi_minor);
	expect(h->header_size == SONIC_HEADER_SIZE, "header_size %u", h->header_size);
	expect(h->page_size == SONIC_PAGE_SIZE, "page_size %u", h->page_size);
	expect(h->pfn_count >= 1 && h->pfn_count <= SONIC_MAX_PFN_COUNT, "pfn_count %" PRIu64, h->pfn_count);
	expect(h->hold_timeout_ms > 0, "hold_timeout_ms 0");
	for (i = 0; i < 5; i++)
		expect(h->reserved0[i] == 0, "reserved0[%d]", i);
	for (i = 0; i < 4; i++)
		expect(h->reserved1[i] == 0, "reserved1[%d]", i);
	desc_ok(&h->live, "live", true);
	desc_ok(&h->final_set, "final", true);
	desc_ok(&h->referenced, "referenced", false);
	expect(h->live.offset + h->live.capacity <= h->final_set.offset ||
	       h->final_set.offset + h->final_set.capacity <= h->live.offset, "live and final overlap");
}

/* Decodes a copied section into bm, validating it (SPEC 2.3). Returns false if malformed. */
static bool decode_set(const struct sonic_set_desc *d, const void *section, uint64_t *bm, const char *name)
{
	memset(bm, 0, bm_words * 8);
	if (d->encoding == SONIC_ENC_BITMAP) {
		memcpy(bm, section, bm_words * 8);
		if (pfn_count % 64)
			expect(!(bm[bm_words - 1] >> (pfn_count % 64)), "%s: bits set above pfn_count", name);
		bm[bm_words - 1] &= pfn_count % 64 ? (1ULL << (pfn_count % 64)) - 1 : ~0ULL;
		if (bm_weight(bm) != d->count) {
			expect(false, "%s: count %" PRIu64 " but %" PRIu64 " bits set", name, d->count, bm_weight(bm));
			return false;
		}
		return true;
	}
	{
		const struct sonic_extent *e = section;
		uint64_t i, prev_end = 0, p;

		if (d->count > d->capacity / 16) {
			expect(false, "%s: %" PRIu64 " extents over capacity", name, d->count);
			return false;
		}
		for (i = 0; i < d->count; i++) {
			if (e[i].len < 1 || e[i].start + e[i].len > pfn_count || e[i].start + e[i].len < e[i].start) {
				expect(false, "%s: extent %" PRIu64 " out of range", name, i);
				return false;
			}
			if (i && e[i].start < prev_end) {
				expect(false, "%s: extents unsorted or overlapping at %" PRIu64, name, i);
				return false;
			}
			prev_end = e[i].start + e[i].len;
			for (p = e[i].start; p < prev_end; p++)
				bm[p >> 6] |= 1ULL << (p & 63);
		}
		return true;
	}
}

struct live_read {
	uint64_t gen, flags, count;
	unsigned int retries;
};

/* SPEC 4.2 reader: copy header and section between two equal even reads of gen. */
static void read_live(uint64_t *bm, struct live_read *out)
{
	static struct sonic_hint_header copy;
	static uint8_t *section;
	unsigned int tries;

	if (!section)
		section = xalloc(area_bytes);
	for (tries = 0; tries < 10000; tries++) {
		uint64_t g = sonic_live_read_begin(area);

		memcpy(&copy, area, sizeof(copy));
		if (copy.live.offset + copy.live.capacity <= area_bytes)
			memcpy(section, (const uint8_t *)area + copy.live.offset, copy.live.capacity);
		if (sonic_live_read_retry(area, g)) {
			usleep(100);
			continue;
		}
		out->gen = copy.gen;
		out->flags = copy.live_flags;
		out->count = copy.live.count;
		out->retries = tries;
		expect(copy.gen == g && !(g & 1), "live copy gen %" PRIu64 " vs %" PRIu64, copy.gen, g);
		if (!decode_set(&copy.live, section, bm, "live"))
			die("the live set is malformed");
		return;
	}
	die("the live set never settled (gen odd or moving for 10000 reads)");
}

struct final_read {
	uint64_t word, flags;
};

/* SPEC 6.3 step 4: word, copy, word again; FINAL_READY only. Returns false otherwise. */
static bool read_final(uint64_t *bm, struct final_read *out)
{
	static struct sonic_hint_header copy;
	static uint8_t *section;
	uint64_t w1, w2;

	if (!section)
		section = xalloc(area_bytes);
	w1 = sonic_load64(&area->handshake);
	sonic_rmb();
	memcpy(&copy, area, sizeof(copy));
	memcpy(section, (const uint8_t *)area + copy.final_set.offset, copy.final_set.capacity);
	sonic_rmb();
	w2 = sonic_load64(&area->handshake);
	out->word = w1;
	out->flags = copy.final_flags;
	if (w1 != w2 || SONIC_HS_STATE(w1) != SONIC_HS_FINAL_READY)
		return false;
	return decode_set(&copy.final_set, section, bm, "final");
}

/* ---------------------------------------------------------------- checks */

struct verdict {
	uint64_t ok, races, kraces, violations;
	uint64_t by_kind[K_NKINDS];     /* class in B of every reported page */
	uint64_t viol_kind[K_NKINDS];
};

/* Judges one reported PFN against snapshots A and B; soft_b says which classes are right in B. */
static void judge(struct verdict *v, uint64_t pfn, const bool *soft_b)
{
	enum kind ka = kind_of(kpf_a[pfn], kpc_a[pfn]);
	enum kind kb = kind_of(kpf_b[pfn], kpc_b[pfn]);

	v->by_kind[kb]++;
	if (soft_b[kb]) {
		v->ok++;
	} else if (ka != kb) {
		v->races++;
	} else if (kind_stable_hard[ka] || (ka == K_CLEAN && !soft_b[K_CLEAN])) {
		v->violations++;
		v->viol_kind[ka]++;
		if (v->violations <= 10)
			printf("  VIOLATION pfn %" PRIu64 " is %s (flags %#" PRIx64 ", mapcount %" PRIu64
			       ") before and after the scan\n", pfn, kind_name[ka], kpf_b[pfn], kpc_b[pfn]);
	} else {
		v->kraces++;
	}
}

static void print_kinds(const char *prefix, const uint64_t *per_kind)
{
	int k;

	printf("  %s", prefix);
	for (k = 0; k < K_NKINDS; k++)
		if (per_kind[k])
			printf(" %s=%" PRIu64, kind_name[k], per_kind[k]);
	putchar('\n');
}

static double pct(double a, double b)
{
	return b ? 100.0 * (a - b) / b : (a ? 100.0 : 0.0);
}

static double absd(double x)
{
	return x < 0 ? -x : x;
}

static uint64_t min_cache_pages;

/* One live round: (a), (b), (c). Periodic publication is paused, so the triggered scan is the only
 * publication between the snapshots and stats describe exactly the set read from the area. */
static void live_round(int round, uint64_t *live, uint64_t *dbg_live, struct verdict *total,
		       double *worst_free, double *worst_cache)
{
	static const bool soft_live[K_NKINDS] = { [K_FREE] = true, [K_CLEAN] = true };
	uint64_t kinds_b[K_NKINDS], pfn, free_kb, stats_gen, scan_free, scan_cache, missed_clean = 0;
	struct live_read lr;
	struct verdict v = { 0 };
	double dfree, dcache;

	snapshot(kpf_a, kpc_a);
	write_file(DBG "scan", "1");
	free_kb = memfree_kb();
	read_live(live, &lr);
	stats_gen = stat_u64("gen");
	scan_free = stat_u64("scan_free");
	scan_cache = stat_u64("scan_cache");
	read_file(DBG "live", dbg_live, bm_words * 8);
	snapshot(kpf_b, kpc_b);

	expect(stats_gen == lr.gen, "stats gen %" PRIu64 " but the area's gen is %" PRIu64, stats_gen, lr.gen);
	expect((lr.flags & (SONIC_FLAG_FREE | SONIC_FLAG_CLEAN_CACHE)) == (SONIC_FLAG_FREE | SONIC_FLAG_CLEAN_CACHE),
	       "live_flags %#" PRIx64 " lack FREE|CLEAN_CACHE", lr.flags);
	if (!(lr.flags & SONIC_FLAG_TRUNCATED))
		expect(!memcmp(live, dbg_live, bm_words * 8), "area live set differs from debugfs live");
	expect(bm_weight(dbg_live) == scan_free + scan_cache, "debugfs live has %" PRIu64 " pages, stats %" PRIu64,
	       bm_weight(dbg_live), scan_free + scan_cache);

	check_area_not_soft(live, "live");
	for (pfn = 0; pfn < pfn_count; pfn++) {
		if (bm_test(live, pfn))
			judge(&v, pfn, soft_live);
		else if (kind_of(kpf_a[pfn], kpc_a[pfn]) == K_CLEAN && kind_of(kpf_b[pfn], kpc_b[pfn]) == K_CLEAN)
			missed_clean++;
	}
	count_kinds(kpf_b, kpc_b, kinds_b);
	dfree = pct(scan_free * 4.0, free_kb);
	dcache = pct(scan_cache, kinds_b[K_CLEAN]);
	printf("  round %d: gen %" PRIu64 " (%u seqlock retries) soft %" PRIu64 ": free %" PRIu64 " vs MemFree %" PRIu64
	       " pages (%+.2f%%), cache %" PRIu64 " vs kpageflags clean %" PRIu64 " (%+.2f%%), missed clean %" PRIu64
	       ", races %" PRIu64 ", kernel races %" PRIu64 ", violations %" PRIu64 "\n",
	       round, lr.gen, lr.retries, bm_weight(live), scan_free, free_kb / 4, dfree, scan_cache,
	       kinds_b[K_CLEAN], dcache, missed_clean, v.races, v.kraces, v.violations);
	print_kinds("reported soft, class after:", v.by_kind);
	if (round == 1)
		print_kinds("all pages after:", kinds_b);

	expect(dfree >= -2.0 && dfree <= 2.0, "(a) free %" PRIu64 " pages vs MemFree %" PRIu64 " kB: %+.2f%%",
	       scan_free, free_kb, dfree);
	expect(dcache >= -5.0 && dcache <= 5.0, "(b) clean cache %" PRIu64 " vs %" PRIu64 ": %+.2f%%", scan_cache,
	       kinds_b[K_CLEAN], dcache);
	expect(kinds_b[K_CLEAN] >= min_cache_pages, "workload: only %" PRIu64 " clean cache pages", kinds_b[K_CLEAN]);
	expect(v.violations == 0, "(c) %" PRIu64 " hard pages reported soft", v.violations);
	expect(v.races + v.kraces <= RACE_LIMIT(bm_weight(live)), "(c) %" PRIu64 " races exceed the limit %" PRIu64,
	       v.races + v.kraces, RACE_LIMIT(bm_weight(live)));
	if (absd(dfree) > absd(*worst_free))
		*worst_free = dfree;
	if (absd(dcache) > absd(*worst_cache))
		*worst_cache = dcache;
	total->races += v.races;
	total->kraces += v.kraces;
	total->violations += v.violations;
	total->ok += v.ok;
}

static void alloc_snapshots(void)
{
	kpf_a = xalloc(pfn_count * 8);
	kpc_a = xalloc(pfn_count * 8);
	kpf_b = xalloc(pfn_count * 8);
	kpc_b = xalloc(pfn_count * 8);
}

static int __attribute__((format(printf, 2, 3))) result(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("RESULT %s %s", name, failures ? "FAIL" : "PASS");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return failures ? 1 : 0;
}

static void read_param(const char *name, char *buf, size_t len)
{
	char path[256];
	size_t n;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	n = read_file(path, buf, len - 1);
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
}

/*
 * The periodic publication keeps moving gen. Meanwhile this reads the live set over and over as dom0
 * would, racing the kernel's writer: every accepted copy must decode and validate (read_live dies on
 * a malformed one), whatever the retries.
 */
static void check_periodic(uint64_t *live, uint64_t *publications, double *seconds, uint64_t *reads,
			   uint64_t *retries)
{
	struct live_read lr;
	uint64_t g0, g1;
	double t0;

	*reads = *retries = 0;
	g0 = sonic_load64(&area->gen);
	t0 = now_s();
	while (now_s() - t0 < 1.5) {
		read_live(live, &lr);
		expect(lr.flags & SONIC_FLAG_FREE, "live_flags %#" PRIx64 " during periodic publication", lr.flags);
		(*reads)++;
		*retries += lr.retries;
	}
	g1 = sonic_load64(&area->gen);
	*seconds = now_s() - t0;
	*publications = (g1 - g0) / 2;
	expect(*publications >= 2, "periodic publication: only %" PRIu64 " in %.1f s", *publications, *seconds);
}

static int cmd_live(int rounds, uint64_t min_cache_mib)
{
	uint64_t *live, *dbg_live, pubs, reads, retries;
	struct verdict total = { 0 };
	double worst_free = 0, worst_cache = 0, secs, scan_ms, gib;
	char period[32];
	int r;

	open_area();
	check_header();
	alloc_snapshots();
	live = bm_new();
	dbg_live = bm_new();
	min_cache_pages = min_cache_mib * 256;
	read_param("period_ms", period, sizeof(period));
	check_periodic(live, &pubs, &secs, &reads, &retries);
	printf("  periodic: %" PRIu64 " publications in %.1f s; %" PRIu64 " concurrent reads, %" PRIu64 " seqlock retries\n",
	       pubs, secs, reads, retries);
	set_param("period_ms", "0");
	for (r = 1; r <= rounds; r++)
		live_round(r, live, dbg_live, &total, &worst_free, &worst_cache);
	set_param("period_ms", period);
	scan_ms = stat_u64("scan_ns_avg") / 1e6;
	gib = pfn_count / 262144.0;
	return result("live", " rounds=%d periodic=%" PRIu64 "/%.1fs reads=%" PRIu64 "/%" PRIu64 " free_dev=%+.2f%% cache_dev=%+.2f%% violations=%" PRIu64
		      " races=%" PRIu64 " kraces=%" PRIu64 " scan_ms=%.1f scan_ms_per_gib=%.1f scan_ms_per_ram_gib=%.1f max_scan_ms=%.1f"
		      " publish_us=%.1f pfns=%" PRIu64,
		      rounds, pubs, secs, reads, retries, worst_free, worst_cache, total.violations, total.races, total.kraces, scan_ms,
		      scan_ms / gib, scan_ms / ram_gib(), stat_u64("scan_ns_max") / 1e6, stat_u64("publish_ns") / 1e3, pfn_count);
}

/* Every published bit is in the module's full set, every published extent is a whole run of it,
 * and no run left out is longer than a published one (exact below 4096 pages, within 2x above). */
static uint64_t runs_min_pub, runs_max_unpub;
static const uint64_t *runs_pub;

static void run_visit(uint64_t start, uint64_t len, void *arg)
{
	(void)arg;
	if (bm_test(runs_pub, start)) {
		if (len < runs_min_pub)
			runs_min_pub = len;
	} else if (len > runs_max_unpub) {
		runs_max_unpub = len;
	}
}

static void check_truncation(const uint64_t *pub, const uint64_t *full, uint64_t count, uint64_t cap,
			     uint64_t flags, const char *name)
{
	uint64_t i, runs;

	for (i = 0; i < bm_words; i++)
		expect(!(pub[i] & ~full[i]), "%s: published PFNs outside the module's set (word %" PRIu64 ")", name, i);
	runs = bm_runs(full, NULL, NULL);
	expect(!!(flags & SONIC_FLAG_TRUNCATED) == (runs > cap), "%s: %" PRIu64 " runs, capacity %" PRIu64
	       ", flags %#" PRIx64, name, runs, cap, flags);
	if (runs <= cap) {
		expect(!memcmp(pub, full, bm_words * 8), "%s: not truncated but differs from the module's set", name);
		return;
	}
	expect(count == cap, "%s: truncated with %" PRIu64 " of %" PRIu64 " extents", name, count, cap);
	/* each published extent is a whole run: its neighbours are outside the full set */
	runs_pub = pub;
	runs_min_pub = UINT64_MAX;
	runs_max_unpub = 0;
	expect(bm_runs(pub, NULL, NULL) == count, "%s: published extents merge or split runs", name);
	bm_runs(full, run_visit, NULL);
	if (runs_max_unpub < 4096)
		expect(runs_max_unpub <= runs_min_pub, "%s: a run of %" PRIu64 " left out, one of %" PRIu64 " published",
		       name, runs_max_unpub, runs_min_pub);
	else
		expect(runs_max_unpub <= 2 * runs_min_pub, "%s: a run of %" PRIu64 " left out, one of %" PRIu64
		       " published", name, runs_max_unpub, runs_min_pub);
	printf("  %s: %" PRIu64 " runs, %" PRIu64 " published (shortest %" PRIu64 "), longest left out %" PRIu64 "\n",
	       name, runs, count, runs_min_pub, runs_max_unpub);
}

/* (d): one handshake in the given mode, checked, then released. */
static void handshake_check(bool held, uint64_t min_cache_mib, char *summary, size_t summary_len)
{
	static const bool soft_final[K_NKINDS] = { [K_FREE] = true };
	uint64_t *fin = bm_new(), *dbg_fin = bm_new(), *held_bm = bm_new();
	uint64_t kinds_a[K_NKINDS], kinds_b[K_NKINDS], word0, word2, free0, free1, free2, pfn;
	uint64_t held_pages, final_count, bad_held = 0, w, w_full, pcp0, pcp1;
	unsigned int starved = 0;
	char starved_names[512];
	struct final_read fr;
	struct verdict v = { 0 };
	double t0, req_s, dev = 0;
	bool ok;

	set_param("hold", held ? "1" : "0");
	word0 = sonic_load64(&area->handshake);
	snapshot(kpf_a, kpc_a);
	count_kinds(kpf_a, kpc_a, kinds_a);
	free0 = memfree_kb();
	pcp0 = pcp_pages();
	t0 = now_s();
	write_file(DBG "request", "1");
	req_s = now_s() - t0;
	free1 = memfree_kb();
	pcp1 = pcp_pages();
	ok = read_final(fin, &fr);
	if (held)
		starved = zones_below_high(starved_names, sizeof(starved_names));
	read_file(DBG "final", dbg_fin, bm_words * 8);
	read_file(DBG "held", held_bm, bm_words * 8);
	held_pages = stat_u64("held_pages");
	final_count = stat_u64("final_count");
	snapshot(kpf_b, kpc_b);
	count_kinds(kpf_b, kpc_b, kinds_b);

	expect(ok, "no FINAL_READY final set after the request (word %#" PRIx64 ")", fr.word);
	expect(SONIC_HS_SEQ(fr.word) == SONIC_HS_SEQ(word0) + 1, "sequence %u after %u", SONIC_HS_SEQ(fr.word),
	       SONIC_HS_SEQ(word0));
	expect(fr.flags & SONIC_FLAG_FREE, "final_flags %#" PRIx64 " lack FREE", fr.flags);
	expect(fr.flags & SONIC_FLAG_CLEAN_CACHE, "final_flags %#" PRIx64 " lack CLEAN_CACHE (drop_err %" PRIu64 ")",
	       fr.flags, stat_u64("drop_err"));
	expect(!!(fr.flags & SONIC_FLAG_HELD) == held, "final_flags %#" PRIx64 ": HELD should be %d", fr.flags, held);
	expect(stat_u64("last_held") == held, "the module did%s hold", held ? " not" : "");
	check_area_not_soft(dbg_fin, "final");
	w = bm_weight(fin);
	w_full = bm_weight(dbg_fin);
	expect(w == final_count, "final set has %" PRIu64 " pages, stats say %" PRIu64, w, final_count);
	if (area->final_set.encoding == SONIC_ENC_EXTENTS) {
		check_truncation(fin, dbg_fin, area->final_set.count, area->final_set.capacity / 16, fr.flags, "final");
	} else {
		expect(!(fr.flags & SONIC_FLAG_TRUNCATED), "a bitmap final set flagged TRUNCATED");
		expect(!memcmp(fin, dbg_fin, bm_words * 8), "area final set differs from debugfs final");
	}
	if (held) {
		expect(!memcmp(dbg_fin, held_bm, bm_words * 8), "final set != held pages");
		expect(bm_weight(held_bm) == held_pages, "held bitmap %" PRIu64 " vs held_pages %" PRIu64,
		       bm_weight(held_bm), held_pages);
		for (pfn = 0; pfn < pfn_count; pfn++)
			if (bm_test(held_bm, pfn) && (kpf_b[pfn] || kpc_b[pfn])) {
				if (++bad_held <= 10)
					printf("  VIOLATION held pfn %" PRIu64 " has flags %#" PRIx64 " mapcount %" PRIu64 "\n",
					       pfn, kpf_b[pfn], kpc_b[pfn]);
			}
		expect(bad_held == 0, "(d) %" PRIu64 " held pages are in use by someone else", bad_held);
		expect(starved == 0, "(e) while holding, zones below their high watermark:%s", starved_names);
		{
			/* free = MemFree + per-cpu lists; dropped = file pages that left the page cache */
			double grow = (free1 + pcp1 * 4.0 + held_pages * 4.0) - (free0 + pcp0 * 4.0);
			double file_a = (kinds_a[K_CLEAN] + kinds_a[K_MAPPED_FILE] + kinds_a[K_PINNED_FILE]) * 4.0;
			double file_b = (kinds_b[K_CLEAN] + kinds_b[K_MAPPED_FILE] + kinds_b[K_PINNED_FILE]) * 4.0;
			double dropped = file_a - file_b;

			dev = pct(grow, dropped);
			printf("  MemFree %" PRIu64 " -> %" PRIu64 " kB, per-cpu lists %" PRIu64 " -> %" PRIu64 " kB, held %" PRIu64
			       " kB: free grew %.0f kB; page cache %.0f -> %.0f kB (clean %" PRIu64 " -> %" PRIu64 " kB): dropped"
			       " %.0f kB (%+.2f%%)\n", free0, free1, pcp0 * 4, pcp1 * 4, held_pages * 4, grow, file_a, file_b,
			       kinds_a[K_CLEAN] * 4, kinds_b[K_CLEAN] * 4, dropped, dev);
			print_zones("while held");
			print_kinds("all pages before:", kinds_a);
			print_kinds("all pages while held:", kinds_b);
			expect(kinds_a[K_CLEAN] >= min_cache_mib * 256, "workload: only %" PRIu64 " clean pages before",
			       kinds_a[K_CLEAN]);
			expect(dropped >= 0.95 * kinds_a[K_CLEAN] * 4.0, "(d) only %.0f kB of %" PRIu64 " kB clean cache dropped",
			       dropped, kinds_a[K_CLEAN] * 4);
			expect(absd(grow - dropped) <= 0.05 * dropped + 8192, "(d) free+held grew %.0f kB, dropped cache %.0f kB",
			       grow, dropped);
		}
	} else {
		for (pfn = 0; pfn < pfn_count; pfn++)
			if (bm_test(fin, pfn))
				judge(&v, pfn, soft_final);
		uint64_t pcp_bound = print_zones(NULL);

		dev = pct(w_full * 4.0, free1);
		printf("  final %" PRIu64 " pages (published %" PRIu64 ") vs MemFree %" PRIu64 " pages (%+.2f%%; per-cpu lists"
		       " may hold up to %" PRIu64 "): races %" PRIu64 ", kernel races %" PRIu64 ", violations %" PRIu64 "\n",
		       w_full, w, free1 / 4, dev, pcp_bound, v.races, v.kraces, v.violations);
		print_kinds("final set, class after:", v.by_kind);
		expect(v.violations == 0, "(d) %" PRIu64 " final-set pages were not free", v.violations);
		expect(v.races + v.kraces <= RACE_LIMIT(w), "(d) %" PRIu64 " races exceed the limit", v.races + v.kraces);
		/* Pages drop_caches freed onto a per-cpu list are free but not in the buddy allocator when
		 * the scan runs; MemFree, read later, may count them once the list was flushed. */
		expect(absd(w_full * 4.0 - free1) <= 0.02 * free1 + pcp_bound * 4.0,
		       "(d) final set %" PRIu64 " pages vs MemFree %" PRIu64 " kB beyond 2%% + %" PRIu64 " per-cpu pages", w_full,
		       free1, pcp_bound);
	}

	write_file(DBG "release", "1");
	free2 = memfree_kb();
	word2 = sonic_load64(&area->handshake);
	expect(SONIC_HS_STATE(word2) == SONIC_HS_IDLE && SONIC_HS_SEQ(word2) == SONIC_HS_SEQ(fr.word),
	       "after release the word is %#" PRIx64, word2);
	expect(stat_u64("held_pages") == 0, "pages still held after release");
	if (held)
		/* at least the held pages come back; more may (per-cpu lists drained, buffers freed) */
		expect(pct(free2, free1 + held_pages * 4.0) >= -2.0, "release: MemFree %" PRIu64 " kB, expected %.0f",
		       free2, free1 + held_pages * 4.0);
	snprintf(summary, summary_len, " mode=%s seq=%u flags=%#" PRIx64 " final=%" PRIu64 " held=%" PRIu64
		 " dev=%+.2f%% violations=%" PRIu64 " races=%" PRIu64 " kraces=%" PRIu64 " bad_held=%" PRIu64
		 " starved_zones=%u request_s=%.2f hs_ms=%.1f drop_ms=%.1f", held ? "held" : "scan", SONIC_HS_SEQ(fr.word),
		 fr.flags, w, held_pages, dev, v.violations, v.races, v.kraces, bad_held, starved, req_s, stat_u64("hs_ns") / 1e6,
		 stat_u64("drop_ns") / 1e6);
}

static int cmd_handshake(const char *mode, uint64_t min_cache_mib)
{
	char summary[512];
	bool held = !strcmp(mode, "held");

	if (!held && strcmp(mode, "scan"))
		die("handshake mode must be held or scan, not %s", mode);
	open_area();
	check_header();
	alloc_snapshots();
	handshake_check(held, min_cache_mib, summary, sizeof(summary));
	return result(held ? "handshake-held" : "handshake-scan", "%s", summary);
}

/* Pages of [from, pfn_count) free (BUDDY) in snapshot A and in B, and how many of those bm lacks. */
static uint64_t free_in_range(uint64_t from, const uint64_t *bm, uint64_t *missing)
{
	uint64_t pfn, n = 0;

	*missing = 0;
	for (pfn = from; pfn < pfn_count; pfn++)
		if (kind_of(kpf_a[pfn], kpc_a[pfn]) == K_FREE && kind_of(kpf_b[pfn], kpc_b[pfn]) == K_FREE) {
			n++;
			if (!bm_test(bm, pfn))
				++*missing;
		}
	return n;
}

/*
 * Memory hot-added above the span the module had at load (old_pfns) and onlined, up to PFN
 * new_end - 1: the module rebuilt its area (pfn_count covers the new memory), the live set agrees
 * with kpageflags as in the live check and lists the new memory's free pages, and a scan handshake's
 * final set lists them too.
 */
static int cmd_hotadd(uint64_t old_pfns, uint64_t new_end)
{
	uint64_t *live, *dbg_live, *fin, present = 0, free_live, miss_live, free_fin, miss_fin, pfn;
	struct verdict total = { 0 };
	double worst_free = 0, worst_cache = 0;
	char summary[512], period[32];

	open_area();
	check_header();
	expect(pfn_count >= new_end && pfn_count > old_pfns, "the area covers %" PRIu64 " PFNs: not the added memory up"
	       " to PFN %" PRIu64 " (%" PRIu64 " at load)", pfn_count, new_end - 1, old_pfns);
	expect(stat_u64("pfn_count") == pfn_count, "stats pfn_count %" PRIu64 ", header %" PRIu64, stat_u64("pfn_count"),
	       pfn_count);
	expect(SONIC_HS_SEQ(sonic_load64(&area->handshake)) == 0, "a new area's handshake word starts at sequence 0");
	alloc_snapshots();
	live = bm_new();
	dbg_live = bm_new();
	fin = bm_new();
	min_cache_pages = 0;
	read_param("period_ms", period, sizeof(period));
	set_param("period_ms", "0");
	live_round(1, live, dbg_live, &total, &worst_free, &worst_cache);
	set_param("period_ms", period);
	for (pfn = old_pfns; pfn < pfn_count; pfn++)
		present += !(kpf_b[pfn] & BIT(KPF_NOPAGE));
	free_live = free_in_range(old_pfns, live, &miss_live);
	printf("  added memory: %" PRIu64 " pages present above PFN %" PRIu64 ", %" PRIu64 " of them free before and"
	       " after the scan, %" PRIu64 " of those missing from the live set\n", present, old_pfns, free_live, miss_live);
	expect(present > 0, "no page present above the old pfn_count %" PRIu64, old_pfns);
	expect(free_live >= present / 2, "only %" PRIu64 " of the %" PRIu64 " added pages are free", free_live, present);
	expect(miss_live <= RACE_LIMIT(free_live), "%" PRIu64 " free pages of the added memory missing from the live set",
	       miss_live);

	handshake_check(false, 0, summary, sizeof(summary));
	read_file(DBG "final", fin, bm_words * 8);
	free_fin = free_in_range(old_pfns, fin, &miss_fin);
	printf("  final set: %" PRIu64 " of the added memory's %" PRIu64 " free pages missing%s\n", miss_fin, free_fin,
	       summary);
	expect(free_fin > 0 && miss_fin <= RACE_LIMIT(free_fin), "%" PRIu64 " of %" PRIu64 " free pages of the added memory"
	       " missing from the final set", miss_fin, free_fin);
	return result("hotadd", " added_pages=%" PRIu64 " pfn_count=%" PRIu64 "->%" PRIu64 " area_pages=%u"
		      " live_added_free=%" PRIu64 "-%" PRIu64 " final_added_free=%" PRIu64 "-%" PRIu64 " violations=%" PRIu64
		      " races=%" PRIu64 " kraces=%" PRIu64 " grow_us=%.0f", present, old_pfns, pfn_count, area->area_pages,
		      free_live, miss_live, free_fin, miss_fin, total.violations, total.races, total.kraces,
		      stat_u64("grow_ns") / 1e3);
}

static int cmd_timeout(void)
{
	uint64_t *fin, word, free1, free2, held;
	struct final_read fr;
	unsigned int timeout_ms;
	double t0, idle_s;
	char buf[32];

	open_area();
	check_header();
	fin = bm_new();
	read_param("hold_timeout_ms", buf, sizeof(buf));
	timeout_ms = strtoul(buf, NULL, 10);
	expect(area->hold_timeout_ms == timeout_ms, "header hold_timeout_ms %u vs parameter %u", area->hold_timeout_ms,
	       timeout_ms);
	set_param("hold", "1");
	write_file(DBG "request", "1");
	free1 = memfree_kb();
	expect(read_final(fin, &fr), "no final set");
	held = stat_u64("held_pages");
	expect(held > 0 && (fr.flags & SONIC_FLAG_HELD), "nothing held");
	t0 = now_s();
	usleep(timeout_ms / 2 * 1000);
	word = sonic_load64(&area->handshake);
	expect(SONIC_HS_STATE(word) == SONIC_HS_FINAL_READY, "released after %u ms already (word %#" PRIx64 ")",
	       timeout_ms / 2, word);
	/* Giving pages back zeroes or poisons each one on such kernels, which takes seconds under TCG:
	 * the word turns IDLE once all are back. */
	do {
		usleep(100 * 1000);
		word = sonic_load64(&area->handshake);
	} while (SONIC_HS_STATE(word) != SONIC_HS_IDLE && now_s() - t0 < 60);
	idle_s = now_s() - t0;
	free2 = memfree_kb();
	expect(SONIC_HS_STATE(word) == SONIC_HS_IDLE && SONIC_HS_SEQ(word) == SONIC_HS_SEQ(fr.word),
	       "after %.1f s the word is %#" PRIx64, idle_s, word);
	expect(stat_u64("held_pages") == 0, "still holding after the timeout");
	expect(free2 + 8192 >= free1 + held * 4 * 98 / 100, "(other allocations may take up to 2 %% + 8 MiB meanwhile) MemFree %" PRIu64 " kB after release, %" PRIu64 " before, held %"
	       PRIu64 " kB", free2, free1, held * 4);
	return result("timeout", " hold_timeout_ms=%u held=%" PRIu64 " idle_after_s=%.1f memfree_kb=%" PRIu64 "->%" PRIu64,
		      timeout_ms, held, idle_s, free1, free2);
}

/* On a kernel with init_on_alloc (and no F3 need), an explicit hold=1 is refused and nothing changes. */
static int cmd_refuse(void)
{
	char before[32], after[32];
	int fd, err = 0;
	ssize_t n;

	open_area();
	read_param("hold", before, sizeof(before));
	expect(stat_u64("init_on_alloc") == 1, "this kernel does not zero on allocation (boot without init_on_alloc=0)");
	fd = open(PARAMS "hold", O_WRONLY);
	if (fd < 0)
		die("open " PARAMS "hold: %s", strerror(errno));
	n = write(fd, "1", 1);
	if (n < 0)
		err = errno;
	close(fd);
	read_param("hold", after, sizeof(after));
	expect(n < 0 && err == EINVAL, "writing hold=1 returned %zd (%s), not EINVAL", n, strerror(err));
	expect(!strcmp(before, after), "hold went from %s to %s", before, after);
	return result("refuse", " init_on_alloc=1 errno=%d hold=%s", err, after);
}

/* A counter of /proc/vmstat ("oom_kill": processes the OOM killer killed since boot). */
static uint64_t vmstat(const char *key)
{
	return key_value_u64("/proc/vmstat", key);
}

/*
 * Held pages go back when the guest needs them: after a held handshake, a process allocates all free
 * memory plus three quarters of what is held. It must not be killed (no OOM kill), and the module
 * must have given back at least the difference. Mode "shrinker": the shrinker alone does it (reclaim
 * asks it first), the OOM notifier never runs. Mode "oom": with the test-only knob test_shrinker_off
 * the shrinker gives back nothing, reclaim fails, the kernel enters out_of_memory(), and the OOM
 * notifier gives back every held page; out_of_memory() then returns without killing (a notifier
 * freed pages), so the process gets its memory and the kernel's oom_kill counter does not move.
 */
static int cmd_pressure(const char *mode)
{
	uint64_t *fin, held0, held1, free0, want_kb, need_kb, back_s0, back_o0, back_s, back_o, back, kills0, kills;
	bool oom = !strcmp(mode, "oom");
	struct final_read fr;
	int status = 0;
	double t0, secs;
	pid_t pid;

	if (!oom && strcmp(mode, "shrinker"))
		die("pressure mode must be shrinker or oom, not %s", mode);
	open_area();
	check_header();
	fin = bm_new();
	set_param("hold", "1");
	write_file(DBG "request", "1");
	expect(read_final(fin, &fr) && (fr.flags & SONIC_FLAG_HELD), "no held final set (word %#" PRIx64 ")", fr.word);
	held0 = stat_u64("held_pages");
	free0 = memfree_kb();
	back_s0 = stat_u64("given_back_shrinker");
	back_o0 = stat_u64("given_back_oom");
	kills0 = vmstat("oom_kill");
	expect(held0 * 4 > 2 * free0, "only %" PRIu64 " kB held next to %" PRIu64 " kB free: no pressure to test",
	       held0 * 4, free0);
	need_kb = held0 * 4 * 3 / 4;
	want_kb = free0 + need_kb;
	set_param("test_shrinker_off", oom ? "1" : "0");
	printf("  held %" PRIu64 " kB, MemFree %" PRIu64 " kB: allocating %" PRIu64 " kB, shrinker %s\n", held0 * 4, free0,
	       want_kb, oom ? "off (test knob)" : "on");
	fflush(stdout);
	t0 = now_s();
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		size_t bytes = want_kb << 10, i;
		uint8_t *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			_exit(3);
		for (i = 0; i < bytes; i += 4096)
			p[i] = 1;
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid: %s", strerror(errno));
	secs = now_s() - t0;
	set_param("test_shrinker_off", "0");
	held1 = stat_u64("held_pages");
	back_s = stat_u64("given_back_shrinker") - back_s0;
	back_o = stat_u64("given_back_oom") - back_o0;
	back = back_s + back_o;
	kills = vmstat("oom_kill") - kills0;
	expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the allocating process %s %d",
	       WIFSIGNALED(status) ? "was killed by signal" : "exited with", WIFSIGNALED(status) ? WTERMSIG(status) :
	       WEXITSTATUS(status));
	expect(kills == 0, "the OOM killer killed %" PRIu64 " processes", kills);
	expect(held1 + back == held0, "held %" PRIu64 " -> %" PRIu64 " pages but %" PRIu64 " given back", held0, held1,
	       back);
	if (oom) {
		/* the notifier gives back everything at once, and nothing else may have given back any */
		expect(back_s == 0, "the shrinker gave back %" PRIu64 " pages although it was off", back_s);
		expect(back_o == held0 && held1 == 0, "the OOM notifier gave back %" PRIu64 " of %" PRIu64 " held pages",
		       back_o, held0);
	} else {
		expect(back_o == 0, "the OOM notifier had to give back %" PRIu64 " pages: the shrinker did not suffice",
		       back_o);
		expect(back_s * 4 >= need_kb * 9 / 10, "the shrinker gave back only %" PRIu64 " kB for a need of %" PRIu64
		       " kB", back_s * 4, need_kb);
	}
	write_file(DBG "release", "1");
	expect(stat_u64("held_pages") == 0, "pages still held after release");
	return result(oom ? "pressure-oom" : "pressure", " held=%" PRIu64 " alloc_kb=%" PRIu64 " given_back_shrinker=%"
		      PRIu64 " given_back_oom=%" PRIu64 " held_after=%" PRIu64 " oom_kills=%" PRIu64 " alloc_s=%.1f", held0,
		      want_kb, back_s, back_o, held1, kills, secs);
}

/*
 * A handshake answers within its budget even when dropping the cache takes longer. The previous
 * handshake (a generous budget) measured how long dropping this much cache takes (full_ms); the cache
 * was refilled since. With budget_ms=20 the answer must come before three quarters of a full drop, and
 * be either a valid final set (free pages only; CLEAN_CACHE only if the drop finished) or FAILED
 * with TIMEOUT. Then the drop, which goes on in the background, must end by itself.
 */
static int cmd_budget(uint64_t min_cache_mib)
{
	static const bool soft_final[K_NKINDS] = { [K_FREE] = true };
	uint64_t *fin, kinds_a[K_NKINDS], word0, word, pfn, w = 0;
	double full_ms, hs_ms, bound_ms, t0, req_s, settle_s;
	struct final_read fr = { 0 };
	struct verdict v = { 0 };
	char old_budget[32];
	int64_t drop_err;
	bool ready;

	open_area();
	check_header();
	alloc_snapshots();
	fin = bm_new();
	full_ms = stat_u64("drop_last_ns") / 1e6;
	read_param("budget_ms", old_budget, sizeof(old_budget));
	set_param("hold", "0");
	set_param("budget_ms", "20");
	word0 = sonic_load64(&area->handshake);
	snapshot(kpf_a, kpc_a);
	count_kinds(kpf_a, kpc_a, kinds_a);
	expect(kinds_a[K_CLEAN] >= min_cache_mib * 256, "workload: only %" PRIu64 " clean pages before", kinds_a[K_CLEAN]);
	t0 = now_s();
	write_file(DBG "request", "1");
	req_s = now_s() - t0;
	word = sonic_load64(&area->handshake);
	ready = read_final(fin, &fr);
	snapshot(kpf_b, kpc_b);
	hs_ms = stat_u64("hs_ns") / 1e6;
	{
		/* drop_err is signed: read it as text */
		static char text[8192];
		size_t n = read_file(DBG "stats", text, sizeof(text) - 1);
		char *p;

		text[n] = 0;
		p = strstr(text, "\ndrop_err ");
		drop_err = p ? strtoll(p + 10, NULL, 10) : 99;
	}
	set_param("budget_ms", old_budget);
	/* an unbounded drop answers after full_ms at best; a bounded one after 20 ms plus collecting */
	bound_ms = 10 + full_ms * 3 / 4;
	expect(SONIC_HS_SEQ(word) == SONIC_HS_SEQ(word0) + 1, "sequence %u after %u", SONIC_HS_SEQ(word),
	       SONIC_HS_SEQ(word0));
	expect(ready || (SONIC_HS_STATE(word) == SONIC_HS_FAILED && SONIC_HS_REASON(word) == SONIC_FAIL_TIMEOUT),
	       "neither a final set nor FAILED(TIMEOUT): word %#" PRIx64, word);
	expect(full_ms >= 40, "a full drop took only %.1f ms: not enough cache to test a bounded one", full_ms);
	expect(hs_ms <= bound_ms, "the handshake took %.1f ms with a 20 ms budget; a full drop takes %.1f ms", hs_ms,
	       full_ms);
	if (ready) {
		expect(!!(fr.flags & SONIC_FLAG_CLEAN_CACHE) == (drop_err == 0), "final_flags %#" PRIx64 " with drop_err %"
		       PRId64, fr.flags, drop_err);
		for (pfn = 0; pfn < pfn_count; pfn++)
			if (bm_test(fin, pfn))
				judge(&v, pfn, soft_final);
		w = bm_weight(fin);
		expect(v.violations == 0, "%" PRIu64 " final-set pages were not free", v.violations);
		expect(v.races + v.kraces <= RACE_LIMIT(w), "%" PRIu64 " races exceed the limit", v.races + v.kraces);
	}
	t0 = now_s();
	while (stat_u64("drop_running") && now_s() - t0 < 60)
		usleep(50 * 1000);
	settle_s = now_s() - t0;
	expect(!stat_u64("drop_running"), "the background drop still runs after %.0f s", settle_s);
	write_file(DBG "release", "1");
	return result("budget", " full_drop_ms=%.1f hs_ms=%.1f bound_ms=%.1f request_s=%.2f state=%u drop_err=%" PRId64
		      " final=%" PRIu64 " violations=%" PRIu64 " races=%" PRIu64 " drop_tail_s=%.2f", full_ms, hs_ms, bound_ms,
		      req_s, SONIC_HS_STATE(word), drop_err, w, v.violations, v.races + v.kraces, settle_s);
}

/*
 * The declared period is what the module said it would be, and true: publish_period_ms in the header
 * = period_ms stretched so that an estimated full scan takes scan_cpu_pct of one CPU (at most 10 s),
 * and gen then moves at least once per declared period (plus the scan itself and scheduling slack).
 * Reports the CPU share the periodic scan actually took.
 */
static int cmd_period(void)
{
	uint64_t declared, period_ms, pct, est_ns, want, g, last_g, changes = 0, scans0, scans1, avg_ns;
	double t0, t_last, t, gap, max_gap = 0, secs, share;
	char buf[32];

	open_area();
	check_header();
	declared = area->publish_period_ms;
	read_param("period_ms", buf, sizeof(buf));
	period_ms = strtoull(buf, NULL, 10);
	pct = stat_u64("scan_cpu_pct");
	est_ns = stat_u64("scan_est_full_ns");
	want = est_ns * 100 / (pct * 1000000);
	if (want < period_ms)
		want = period_ms;
	if (want > 10000)
		want = 10000;
	expect(declared == want, "header declares %" PRIu64 " ms; period_ms %" PRIu64 ", full scan %.1f ms at %" PRIu64
	       "%% give %" PRIu64 " ms", declared, period_ms, est_ns / 1e6, pct, want);
	expect(stat_u64("period_declared_ms") == declared, "stats and header disagree on the period");
	scans0 = stat_u64("scans");
	last_g = sonic_load64(&area->gen);
	t0 = t_last = now_s();
	secs = 3.0 * declared / 1000 + 1.0;
	while ((t = now_s()) - t0 < secs) {
		g = sonic_load64(&area->gen);
		if (g != last_g && !(g & 1)) {
			gap = t - t_last;
			if (changes && gap > max_gap)
				max_gap = gap;
			changes++;
			last_g = g;
			t_last = t;
		}
		usleep(5000);
	}
	scans1 = stat_u64("scans");
	avg_ns = stat_u64("scan_ns_avg");
	share = 100.0 * (scans1 - scans0) * avg_ns / 1e9 / secs;
	expect(changes >= 2, "gen moved %" PRIu64 " times in %.1f s (declared period %" PRIu64 " ms)", changes, secs,
	       declared);
	expect(max_gap <= declared / 1000.0 + 2.0 * stat_u64("scan_ns_max") / 1e9 + 1.0,
	       "gen stood still for %.2f s; declared period %" PRIu64 " ms", max_gap, declared);
	/* the idle cost: CPU time the periodic scans took per second of wall time, per GiB of RAM */
	return result("period", " declared_ms=%" PRIu64 " est_full_scan_ms=%.1f scan_cpu_pct=%" PRIu64 " publications=%" PRIu64
		      " max_gap_s=%.2f cpu_share_pct=%.2f cpu_ms_per_s_per_gib=%.3f scan_ms_per_ram_gib=%.1f pfns=%" PRIu64,
		      declared, est_ns / 1e6, pct, changes, max_gap, share, share * 10.0 / ram_gib(), avg_ns / 1e6 / ram_gib(),
		      pfn_count);
}

/* Waits until gen moves to a new even value or `secs` pass; returns the seconds waited, or -1. */
static double await_gen_change(uint64_t from, double secs)
{
	double t0 = now_s(), t;
	uint64_t g;

	while ((t = now_s()) - t0 < secs) {
		g = sonic_load64(&area->gen);
		if (g != from && !(g & 1))
			return t - t0;
		usleep(2000);
	}
	return -1;
}

/* Scans (every kind) and CPU time of the module's scans over `secs` of wall time from now. */
struct scan_window {
	uint64_t scans, periodic, gen_moves;
	double secs, cpu_ms;
};

static void watch_scans(double secs, struct scan_window *w)
{
	uint64_t s0 = stat_u64("scans"), p0 = stat_u64("periodic_scans"), g, last_g = sonic_load64(&area->gen);
	uint64_t ns0 = stat_u64("scan_ns_avg") * s0;
	double t0 = now_s();

	w->gen_moves = 0;
	while (now_s() - t0 < secs) {
		g = sonic_load64(&area->gen);
		if (g != last_g && !(g & 1)) {
			w->gen_moves++;
			last_g = g;
		}
		usleep(5000);
	}
	w->secs = now_s() - t0;
	w->scans = stat_u64("scans") - s0;
	w->periodic = stat_u64("periodic_scans") - p0;
	w->cpu_ms = ((double)stat_u64("scan_ns_avg") * stat_u64("scans") - (double)ns0) / 1e6;
}

/*
 * On-demand publication (SPEC 4.4), with the module's defaults: after the load scan, no scan at all
 * for IDLE_S seconds without a lease; a lease publishes within one declared period and keeps
 * publishing until it expires, then nothing; a lease ended with 0 stops at once. Reports the idle
 * cost next to the cost under a lease (scans per second, CPU ms per second per GiB of RAM).
 */
#define ONDEMAND_IDLE_S 5.0
static int cmd_ondemand(void)
{
	struct scan_window idle, leased, after, ended;
	uint64_t declared, lease_ms, scan_max_ns;
	double slack, first_s, end_s, gib = ram_gib();
	char buf[64];

	open_area();
	check_header();
	declared = area->publish_period_ms;
	read_param("publish", buf, sizeof(buf));
	expect(!strcmp(buf, "on-demand"), "publish=%s by default", buf);
	expect(declared >= 100 && declared <= 10000, "declared period %" PRIu64 " ms", declared);
	expect(stat_u64("lease_left_ms") == 0, "a lease without anyone asking");

	watch_scans(ONDEMAND_IDLE_S, &idle);
	printf("  idle %.1f s: %" PRIu64 " scans, gen moved %" PRIu64 " times\n", idle.secs, idle.scans, idle.gen_moves);
	expect(idle.scans == 0 && idle.gen_moves == 0, "%" PRIu64 " scans and %" PRIu64 " publications without a lease",
	       idle.scans, idle.gen_moves);

	/* three declared periods, 2..12 s: long enough to see the cadence, short enough for the test */
	lease_ms = 3 * declared;
	lease_ms = lease_ms < 2000 ? 2000 : lease_ms > 12000 ? 12000 : lease_ms;
	scan_max_ns = stat_u64("scan_ns_max");
	slack = 2.0 * scan_max_ns / 1e9 + 0.5;
	snprintf(buf, sizeof(buf), "%" PRIu64, lease_ms);
	write_file(DBG "lease", buf);
	first_s = await_gen_change(sonic_load64(&area->gen), declared / 1000.0 + slack);
	printf("  lease of %" PRIu64 " ms: first publication after %.3f s (declared period %" PRIu64 " ms)\n", lease_ms,
	       first_s, declared);
	expect(first_s >= 0, "no publication within the declared period %" PRIu64 " ms of a lease", declared);
	watch_scans(lease_ms / 1000.0 - (first_s > 0 ? first_s : 0), &leased);
	/* the lease has ended; a scan started just before its end may still finish */
	usleep((useconds_t)(slack * 1e6));
	watch_scans(declared / 1000.0 + 1.0, &after);
	printf("  under the lease %.1f s: %" PRIu64 " scans; after it %.1f s: %" PRIu64 " scans\n", leased.secs,
	       leased.scans, after.secs, after.scans);
	expect(leased.periodic >= 1, "no periodic scan under a %" PRIu64 " ms lease", lease_ms);
	expect(after.scans == 0 && after.gen_moves == 0, "%" PRIu64 " scans after the lease expired", after.scans);
	expect(stat_u64("lease_left_ms") == 0, "lease still live after its end");

	/* dom0's 0 ends a long lease at once (only a scan already running may finish) */
	write_file(DBG "lease", "600000");
	end_s = await_gen_change(sonic_load64(&area->gen), declared / 1000.0 + slack);
	write_file(DBG "lease", "0");
	usleep((useconds_t)(slack * 1e6));
	watch_scans(2.0, &ended);
	expect(end_s >= 0, "no publication after a second lease");
	expect(ended.scans == 0, "%" PRIu64 " scans after the lease was ended with 0", ended.scans);
	expect(stat_u64("lease_ends") >= 1 && stat_u64("leases") >= 2, "leases %" PRIu64 ", ended %" PRIu64,
	       stat_u64("leases"), stat_u64("lease_ends"));
	return result("ondemand", " declared_ms=%" PRIu64 " lease_ms=%" PRIu64 " first_pub_s=%.3f"
		      " idle_scans_per_s=%.3f idle_cpu_ms_per_s_per_gib=%.3f lease_scans_per_s=%.3f"
		      " lease_cpu_ms_per_s_per_gib=%.3f scan_ms_per_ram_gib=%.1f after_scans=%" PRIu64 " ended_scans=%" PRIu64,
		      declared, lease_ms, first_s, idle.scans / idle.secs, idle.cpu_ms / idle.secs / gib,
		      leased.scans / leased.secs, leased.cpu_ms / leased.secs / gib,
		      stat_u64("scan_ns_avg") / 1e6 / gib, after.scans, ended.scans);
}

static int cmd_extents(uint64_t min_cache_mib)
{
	uint64_t *live, *dbg_live;
	struct live_read lr;
	struct verdict total = { 0 };
	double wf = 0, wc = 0;
	char summary[512], period[32];

	open_area();
	check_header();
	alloc_snapshots();
	live = bm_new();
	dbg_live = bm_new();
	min_cache_pages = min_cache_mib * 256;
	expect(area->live.encoding == SONIC_ENC_EXTENTS && area->final_set.encoding == SONIC_ENC_EXTENTS,
	       "sections are not extent lists (budget too big?)");
	read_param("period_ms", period, sizeof(period));
	set_param("period_ms", "0");
	live_round(1, live, dbg_live, &total, &wf, &wc);
	read_live(live, &lr);
	check_truncation(live, dbg_live, lr.count, area->live.capacity / 16, lr.flags, "live");
	set_param("period_ms", period);
	handshake_check(false, 0, summary, sizeof(summary));
	return result("extents", " capacity=%" PRIu64 " live_count=%" PRIu64 " live_flags=%#" PRIx64 " violations=%" PRIu64
		      " races=%" PRIu64 "%s", area->live.capacity / 16, lr.count, lr.flags, total.violations,
		      total.races + total.kraces, summary);
}

/*
 * PFNs of process pid's anonymous memory (its private writable mappings without a file), sorted.
 * The workload process keeps that memory for its whole life, so none of it may ever be soft.
 */
static uint64_t *anon_pfns_of(int pid, uint64_t *n)
{
	char path[64], line[512];
	uint64_t cap = 1 << 16, *pfns = malloc(cap * 8);
	FILE *maps;
	int pm;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	maps = fopen(path, "r");
	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	pm = open(path, O_RDONLY);
	if (!maps || pm < 0 || !pfns)
		die("cannot read the memory map of process %d: %s", pid, strerror(errno));
	*n = 0;
	while (fgets(line, sizeof(line), maps)) {
		unsigned long long lo, hi, off;
		char perms[8];
		unsigned int major, minor;
		unsigned long inode;

		if (sscanf(line, "%llx-%llx %7s %llx %x:%x %lu", &lo, &hi, perms, &off, &major, &minor, &inode) != 7)
			continue;
		if (inode || perms[1] != 'w' || perms[3] != 'p' || strstr(line, "["))
			continue;
		for (; lo < hi; lo += 4096) {
			uint64_t e;

			if (pread(pm, &e, 8, lo / 4096 * 8) != 8 || !(e >> 63) || !(e & ((1ULL << 55) - 1)))
				continue;
			if (*n == cap && !(pfns = realloc(pfns, (cap *= 2) * 8)))
				die("out of memory");
			pfns[(*n)++] = e & ((1ULL << 55) - 1);
		}
	}
	fclose(maps);
	close(pm);
	return pfns;
}

/*
 * Handshakes while memory churns: a child maps, touches and unmaps anonymous memory and re-reads the
 * data file in a loop, so pages are allocated and freed all the time during the handshakes (at least
 * ROUNDS, and as many as it takes for the churn to go round twice). Every
 * answer must be a well-formed final set of the right sequence, in time, and contain no page of the
 * workload process's anonymous memory (present, at the same PFN, before and after) and none of the
 * area's pages. (Pages the churn itself frees and re-takes cannot be judged from outside.)
 * In held mode each answer must also be flagged HELD and every page still held when the answer is
 * read must be in it: the churn's allocations may take held pages back through the shrinker, never
 * add pages the module does not hold. Zones may dip below their high watermark here (the churn
 * allocates too; kswapd and the shrinker restore them): the lowest margin is reported, and an OOM
 * kill would fail the kernel-log check.
 */
static int cmd_churn(const char *mode, int hog_pid, const char *file, int rounds)
{
	uint64_t *fin, *hit_bm, *b_bm, *a_pfns, *b_pfns, na, nb, i, hits = 0, stable = 0, pages_min = UINT64_MAX;
	uint64_t loops0, loops1;
	double t_start;
	volatile uint64_t *loops;
	struct final_read fr;
	double worst_s = 0;
	pid_t child;
	int r, status;
	bool held = !strcmp(mode, "held");
	uint64_t *held_bm = NULL, held_min = UINT64_MAX, not_held = 0;
	unsigned int below = 0;
	char names[512];

	if (!held && strcmp(mode, "scan"))
		die("churn mode must be held or scan, not %s", mode);
	open_area();
	check_header();
	fin = bm_new();
	hit_bm = bm_new();
	b_bm = bm_new();
	if (held)
		held_bm = bm_new();
	set_param("hold", held ? "1" : "0");
	loops = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (loops == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	child = fork();
	if (child < 0)
		die("fork: %s", strerror(errno));
	if (child == 0) {
		static char buf[1 << 16];
		int fd = open(file, O_RDONLY);
		off_t off = 0;

		for (;;) {
			size_t bytes = 16 << 20, k;
			uint8_t *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p != MAP_FAILED) {
				for (k = 0; k < bytes; k += 4096)
					p[k] = (uint8_t)k;
				munmap(p, bytes);
			}
			for (k = 0; fd >= 0 && k < 64; k++) {
				if (pread(fd, buf, sizeof(buf), off) <= 0)
					off = 0;
				else
					off += sizeof(buf);
			}
			(*loops)++;
		}
	}
	while (*loops < 2)
		usleep(10000);
	a_pfns = anon_pfns_of(hog_pid, &na);
	loops0 = *loops;
	t_start = now_s();
	/* at least ROUNDS handshakes, and more until the churn went round twice meanwhile (30 s at most) */
	for (r = 0; r < rounds || (*loops - loops0 < 2 && now_s() - t_start < 30); r++) {
		uint64_t word0 = sonic_load64(&area->handshake), w;
		double t0 = now_s(), dt;
		bool ok;

		write_file(DBG "request", "1");
		dt = now_s() - t0;
		if (dt > worst_s)
			worst_s = dt;
		ok = read_final(fin, &fr);
		expect(ok, "round %d: no final set (word %#" PRIx64 ")", r, fr.word);
		expect(SONIC_HS_SEQ(fr.word) == SONIC_HS_SEQ(word0) + 1, "round %d: sequence %u after %u", r,
		       SONIC_HS_SEQ(fr.word), SONIC_HS_SEQ(word0));
		if (!ok)
			continue;
		if (held) {
			uint64_t h, k;

			below += zones_below_high(names, sizeof(names)) ? 1 : 0;
			read_file(DBG "held", held_bm, bm_words * 8);
			h = bm_weight(held_bm);
			if (h < held_min)
				held_min = h;
			for (k = 0; k < bm_words; k++)
				not_held += __builtin_popcountll(held_bm[k] & ~fin[k]);
			expect(fr.flags & SONIC_FLAG_HELD, "round %d: final_flags %#" PRIx64 " lack HELD", r, fr.flags);
		}
		check_area_not_soft(fin, "final");
		w = bm_weight(fin);
		if (w < pages_min)
			pages_min = w;
		for (i = 0; i < na; i++)
			if (a_pfns[i] < pfn_count && bm_test(fin, a_pfns[i]))
				hit_bm[a_pfns[i] >> 6] |= 1ULL << (a_pfns[i] & 63);
		write_file(DBG "release", "1");
	}
	loops1 = *loops;
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	/* a page of the workload reported soft counts only if the workload had it before and after (the
	 * kernel may migrate a page, freeing its old PFN) */
	b_pfns = anon_pfns_of(hog_pid, &nb);
	for (i = 0; i < nb; i++)
		if (b_pfns[i] < pfn_count)
			b_bm[b_pfns[i] >> 6] |= 1ULL << (b_pfns[i] & 63);
	for (i = 0; i < na; i++)
		stable += a_pfns[i] < pfn_count && bm_test(b_bm, a_pfns[i]);
	for (i = 0; i < bm_words; i++)
		hits += __builtin_popcountll(hit_bm[i] & b_bm[i]);
	expect(na > 1000 && stable > na * 9 / 10, "the workload's memory moved: %" PRIu64 " of %" PRIu64 " pages kept their PFN",
	       stable, na);
	expect(hits == 0, "%" PRIu64 " pages of the workload's anonymous memory were in final sets", hits);
	expect(loops1 - loops0 >= 2, "the churn went round only %" PRIu64 " times during %d handshakes", loops1 - loops0, r);
	expect(not_held == 0, "%" PRIu64 " held pages were not in the final set", not_held);
	expect(!held || held_min > 0, "a held handshake held nothing");
	return result(held ? "churn-held" : "churn", " rounds=%d churn_loops=%" PRIu64 " workload_pages=%" PRIu64
		      " violations=%" PRIu64 " smallest_final=%" PRIu64 " worst_request_s=%.2f smallest_held=%" PRIu64
		      " rounds_below_high=%u", r, loops1 - loops0, na, hits + not_held, pages_min, worst_s,
		      held ? held_min : 0, below);
}

/*
 * The workload's long-lived part. Interleaving matters: every other page of the first MAP_MIB of FILE
 * is mapped (one single-page mapping each, so fault-around cannot map the neighbours) and every other
 * page of the next DIRTY_MIB is overwritten without sync, so mapped and dirty pages sit between clean
 * unmapped ones of the same file, and a classification mistake of one page shows.
 */
static void __attribute__((noreturn)) cmd_hog(uint64_t anon_mib, const char *file, uint64_t map_mib,
					      uint64_t dirty_mib)
{
	size_t anon_bytes = anon_mib << 20, i;
	uint64_t map_pages = map_mib * 256, dirty_pages = dirty_mib * 256, p;
	static uint8_t junk[4096];
	volatile uint64_t sum = 0;
	uint8_t *anon;
	int fd;

	anon = mmap(NULL, anon_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (anon == MAP_FAILED)
		die("mmap %" PRIu64 " MiB: %s", anon_mib, strerror(errno));
	for (i = 0; i < anon_bytes; i += 512)
		anon[i] = (uint8_t)(i >> 9 | 1);
	fd = open(file, O_RDWR);
	if (fd < 0)
		die("open %s: %s", file, strerror(errno));
	for (p = 0; p < map_pages; p += 2) {
		const uint8_t *page = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, p * 4096);

		if (page == MAP_FAILED)
			die("mmap page %" PRIu64 " of %s: %s", p, file, strerror(errno));
		sum += page[0];
	}
	memset(junk, 0x5a, sizeof(junk));
	for (p = map_pages; p < map_pages + dirty_pages; p += 2)
		if (pwrite(fd, junk, sizeof(junk), p * 4096) != sizeof(junk))
			die("pwrite page %" PRIu64 " of %s: %s", p, file, strerror(errno));
	printf("READY anon=%" PRIu64 "MiB mapped=%" PRIu64 " pages dirty=%" PRIu64 " pages\n", anon_mib,
	       (map_pages + 1) / 2, (dirty_pages + 1) / 2);
	fflush(stdout);
	for (;;)
		pause();
}

static void usage(void)
{
	fputs("usage: sonic-check hog ANON_MIB FILE MAP_MIB DIRTY_MIB | live ROUNDS MIN_CACHE_MIB |\n"
	      "       handshake held|scan MIN_CACHE_MIB | timeout | extents MIN_CACHE_MIB | refuse | pressure shrinker|oom | period |\n"
	      "       ondemand | churn held|scan HOG_PID FILE ROUNDS | hotadd OLD_PFN_COUNT NEW_END_PFN\n"
	      "       budget MIN_CACHE_MIB\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 6 && !strcmp(argv[1], "hog"))
		cmd_hog(strtoull(argv[2], NULL, 10), argv[3], strtoull(argv[4], NULL, 10), strtoull(argv[5], NULL, 10));
	if (argc == 4 && !strcmp(argv[1], "live"))
		return cmd_live(atoi(argv[2]), strtoull(argv[3], NULL, 10));
	if (argc == 4 && !strcmp(argv[1], "handshake"))
		return cmd_handshake(argv[2], strtoull(argv[3], NULL, 10));
	if (argc == 3 && !strcmp(argv[1], "budget"))
		return cmd_budget(strtoull(argv[2], NULL, 10));
	if (argc == 6 && !strcmp(argv[1], "churn"))
		return cmd_churn(argv[2], atoi(argv[3]), argv[4], atoi(argv[5]));
	if (argc == 2 && !strcmp(argv[1], "period"))
		return cmd_period();
	if (argc == 2 && !strcmp(argv[1], "ondemand"))
		return cmd_ondemand();
	if (argc == 2 && !strcmp(argv[1], "refuse"))
		return cmd_refuse();
	if (argc == 3 && !strcmp(argv[1], "pressure"))
		return cmd_pressure(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "timeout"))
		return cmd_timeout();
	if (argc == 4 && !strcmp(argv[1], "hotadd"))
		return cmd_hotadd(strtoull(argv[2], NULL, 10), strtoull(argv[3], NULL, 10));
	if (argc == 3 && !strcmp(argv[1], "extents"))
		return cmd_extents(strtoull(argv[2], NULL, 10));
	usage();
	return 2;
}
