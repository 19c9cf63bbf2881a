/*
 * memcheck: the lab guest's own check that its memory survived a save/restore or a migration.
 *
 * A heartbeat only shows that the guest runs; this shows that what it had in memory is still there.
 * Two regions, in the manner of QEMU's migration test:
 *
 *  - a hot region that is rewritten all the time: every page holds (pass, page index, checksum).
 *    Pass p walks the pages in order; each page must still hold pass p-1 and its own index before
 *    it gets pass p. So at any instant the pages read p up to the walk's position and p-1 after it,
 *    a single step. A page whose last write was lost on the way (sent before it was written, and not
 *    sent again), a page that arrived empty, or another page's contents all break that, and are found
 *    when the walk next reaches the page.
 *  - a cold region written once with a seeded pattern and then only read: its pages are sent early
 *    and never dirtied, which is where a sender that skips pages it should not would lose data.
 *    It is re-checked in full every few seconds.
 *  - files (optional, e.g. on the guest's disk): checksummed once at the start, then re-read through the
 *    page cache and checksummed again at every report. A clean page-cache page that a migration skipped
 *    must have been dropped by the guest before, so that it is read from the disk again; a page that
 *    stayed in the cache without its data shows here.
 *
 * Every report_seconds, at the end of a pass, it checks the whole hot region once more (every page
 * must now hold that pass), the whole cold region and every file, and prints one line on stdout (the
 * guest's console):
 *   MEMCHECK OK pages=N hot_pages=H passes=P cold_pages=C cold_checks=K files=F file_pages=G stall_ms=S
 * (N = H + C + G, every page the report checked; S the longest time between the ends of two
 * consecutive passes since the report before, on CLOCK_BOOTTIME, which goes on counting while the
 * guest is suspended: the guest's own measure of a migration's downtime, give or take one pass). So the first report printed after a resume has
 * checked everything after the resume. On the first error, and then at every report, it prints a line
 * starting MEMCHECK FAIL that names the page or the file. Between passes it sleeps PAUSE_MS, so that a
 * guest under an emulated CPU keeps time for its other work.
 *
 * usage: memcheck HOT_MIB COLD_MIB [REPORT_SECONDS [PAUSE_MS [FILE...]]]
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL
#define MAGIC 0x534f4e49434d454dULL /* "SONICMEM" */

struct hot_page {
	uint64_t pass;
	uint64_t index;
	uint64_t check; /* pass ^ index ^ MAGIC, so that a zeroed page is never valid */
};

static char fail_line[256];

static uint64_t xorshift(uint64_t x)
{
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Counts the time the guest spent suspended, unlike CLOCK_MONOTONIC (Linux adds a suspend to BOOTTIME only). */
static double boot_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *region(size_t pages)
{
	void *p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED) {
		perror("memcheck: mmap");
		exit(2);
	}
	return p;
}

static void fill_cold(uint64_t *cold, size_t pages)
{
	size_t words = pages * (PAGE / 8);
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	for (size_t i = 0; i < words; i++) {
		x = xorshift(x);
		cold[i] = x;
	}
}

/* Returns the first bad page of the cold region, or -1. */
static long check_cold(const uint64_t *cold, size_t pages)
{
	size_t words = pages * (PAGE / 8);
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	for (size_t i = 0; i < words; i++) {
		x = xorshift(x);
		if (cold[i] != x)
			return (long)(i / (PAGE / 8));
	}
	return -1;
}

/* Records a hot page that does not hold EXPECTED (pass) and index I; returns 1 if it was bad. */
static int bad_hot(const struct hot_page *h, size_t i, uint64_t expected)
{
	if (h->pass == expected && h->index == i && h->check == (MAGIC ^ h->pass ^ h->index))
		return 0;
	snprintf(fail_line, sizeof(fail_line),
		 "MEMCHECK FAIL hot page %zu: expected pass %" PRIu64 " index %zu, found pass %" PRIu64
		 " index %" PRIu64 " check %s",
		 i, expected, i, h->pass, h->index, h->check == (MAGIC ^ h->pass ^ h->index) ? "ok" : "bad");
	return 1;
}

/* An FNV-style hash over a file's contents, a 64-bit word at a time (an emulated CPU hashes tens of MiB
 * at every report), read through the page cache; *pages gets its size in pages. */
static int file_sum(const char *path, uint64_t *sum, size_t *pages)
{
	static uint64_t buf[1 << 13];
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t bytes = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		size_t words = (size_t)n / 8;
		for (size_t i = 0; i < words; i++)
			h = (h ^ buf[i]) * 0x100000001b3ULL;
		for (size_t i = words * 8; i < (size_t)n; i++)
			h = (h ^ ((unsigned char *)buf)[i]) * 0x100000001b3ULL;
		bytes += (size_t)n;
	}
	close(fd);
	if (n < 0)
		return -1;
	*sum = h;
	*pages = (bytes + PAGE - 1) / PAGE;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: memcheck HOT_MIB COLD_MIB [REPORT_SECONDS [PAUSE_MS [FILE...]]]\n");
		return 2;
	}
	size_t hot_pages = strtoul(argv[1], NULL, 10) * (1024 * 1024 / PAGE);
	size_t cold_pages = strtoul(argv[2], NULL, 10) * (1024 * 1024 / PAGE);
	double report = argc > 3 ? atof(argv[3]) : 5;
	long pause_ms = argc > 4 ? atol(argv[4]) : 0;
	if (hot_pages == 0 || report <= 0 || pause_ms < 0) {
		fprintf(stderr, "memcheck: HOT_MIB and REPORT_SECONDS must be positive, PAUSE_MS not negative\n");
		return 2;
	}
	int n_files = argc > 5 ? argc - 5 : 0;
	char **files = argv + 5;
	uint64_t *sums = calloc((size_t)n_files + 1, sizeof(*sums));
	size_t file_pages = 0;
	for (int f = 0; f < n_files; f++) {
		size_t pages;
		if (file_sum(files[f], &sums[f], &pages)) {
			fprintf(stderr, "memcheck: cannot read %s\n", files[f]);
			return 2;
		}
		file_pages += pages;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	char *hot = region(hot_pages);
	uint64_t *cold = cold_pages ? region(cold_pages) : NULL;
	if (cold)
		fill_cold(cold, cold_pages);
	for (size_t i = 0; i < hot_pages; i++) {
		struct hot_page *h = (struct hot_page *)(hot + i * PAGE);
		h->pass = 0;
		h->index = i;
		h->check = MAGIC ^ i;
	}
	printf("MEMCHECK START hot=%p hot_pages=%zu cold=%p cold_pages=%zu files=%d file_pages=%zu\n", (void *)hot,
	       hot_pages, (void *)cold, cold_pages, n_files, file_pages);
	struct timespec pause = {.tv_sec = pause_ms / 1000, .tv_nsec = (pause_ms % 1000) * 1000000L};

	uint64_t cold_checks = 0;
	double next_report = now() + report;
	double last_pass_end = boot_now(), stall = 0;
	for (uint64_t pass = 1;; pass++) {
		for (size_t i = 0; i < hot_pages && !fail_line[0]; i++) {
			struct hot_page *h = (struct hot_page *)(hot + i * PAGE);
			if (bad_hot(h, i, pass - 1))
				break;
			h->pass = pass;
			h->check = MAGIC ^ pass ^ i;
		}
		if (fail_line[0]) {
			/* Stop writing: the state stays as found, for whoever looks next. */
			puts(fail_line);
			struct timespec ts = {.tv_sec = (time_t)report};
			nanosleep(&ts, NULL);
			continue;
		}
		double pass_end = boot_now();
		if (pass_end - last_pass_end > stall)
			stall = pass_end - last_pass_end;
		last_pass_end = pass_end;
		if (pause_ms)
			nanosleep(&pause, NULL);
		if (now() >= next_report) {
			/* The whole hot region once more: after a resume in the middle of the walk, the pages
			 * before the resume point are only checked here within this report. */
			for (size_t i = 0; i < hot_pages && !fail_line[0]; i++)
				bad_hot((struct hot_page *)(hot + i * PAGE), i, pass);
			if (fail_line[0]) {
				puts(fail_line);
				continue;
			}
			for (int f = 0; f < n_files; f++) {
				uint64_t sum = 0;
				size_t pages;
				if (file_sum(files[f], &sum, &pages) || sum != sums[f]) {
					snprintf(fail_line, sizeof(fail_line),
						 "MEMCHECK FAIL file %s: re-read checksum %016" PRIx64 ", expected %016" PRIx64, files[f],
						 sum, sums[f]);
					break;
				}
			}
			if (fail_line[0]) {
				puts(fail_line);
				continue;
			}
			if (cold) {
				long bad = check_cold(cold, cold_pages);
				cold_checks++;
				if (bad >= 0) {
					snprintf(fail_line, sizeof(fail_line), "MEMCHECK FAIL cold page %ld differs from its pattern",
						 bad);
					puts(fail_line);
					continue;
				}
			}
			printf("MEMCHECK OK pages=%zu hot_pages=%zu passes=%" PRIu64 " cold_pages=%zu cold_checks=%" PRIu64
			       " files=%d file_pages=%zu stall_ms=%.0f\n",
			       hot_pages + cold_pages + file_pages, hot_pages, pass, cold_pages, cold_checks, n_files, file_pages,
			       stall * 1000);
			next_report = now() + report;
			stall = 0;
		}
	}
}
