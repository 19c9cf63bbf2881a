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
 *
 * Every report_seconds it prints one line on stdout (the guest's console):
 *   MEMCHECK OK hot_pages=N passes=P cold_pages=M cold_checks=C
 * and on the first error, and then at every report, a line starting MEMCHECK FAIL that names the page.
 * The lab's steps look for the first report printed after a migration.
 *
 * usage: memcheck HOT_MIB COLD_MIB [REPORT_SECONDS]
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

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

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: memcheck HOT_MIB COLD_MIB [REPORT_SECONDS]\n");
		return 2;
	}
	size_t hot_pages = strtoul(argv[1], NULL, 10) * (1024 * 1024 / PAGE);
	size_t cold_pages = strtoul(argv[2], NULL, 10) * (1024 * 1024 / PAGE);
	double report = argc > 3 ? atof(argv[3]) : 5;
	if (hot_pages == 0 || report <= 0) {
		fprintf(stderr, "memcheck: HOT_MIB and REPORT_SECONDS must be positive\n");
		return 2;
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
	printf("MEMCHECK START hot=%p hot_pages=%zu cold=%p cold_pages=%zu\n", (void *)hot, hot_pages, (void *)cold,
	       cold_pages);

	uint64_t cold_checks = 0;
	double next_report = now() + report;
	for (uint64_t pass = 1;; pass++) {
		for (size_t i = 0; i < hot_pages && !fail_line[0]; i++) {
			struct hot_page *h = (struct hot_page *)(hot + i * PAGE);
			if (h->pass != pass - 1 || h->index != i || h->check != (MAGIC ^ h->pass ^ h->index)) {
				snprintf(fail_line, sizeof(fail_line),
					 "MEMCHECK FAIL hot page %zu: expected pass %" PRIu64 " index %zu, found pass %" PRIu64
					 " index %" PRIu64 " check %s",
					 i, pass - 1, i, h->pass, h->index,
					 h->check == (MAGIC ^ h->pass ^ h->index) ? "ok" : "bad");
				break;
			}
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
		if (now() >= next_report) {
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
			printf("MEMCHECK OK hot_pages=%zu passes=%" PRIu64 " cold_pages=%zu cold_checks=%" PRIu64 "\n",
			       hot_pages, pass, cold_pages, cold_checks);
			next_report = now() + report;
		}
	}
}
