/*
 * Conformance writer: builds a hint area with sonic_hint.h and its helpers, the way a guest would,
 * and saves it to a file for the Java reader to check bit for bit.
 *
 *   conformance_writer OUT PFN_COUNT bitmap|extents SEED ABI_MINOR
 *
 * Set membership is a pure function of (seed, set, pfn) that the Java test computes too. The sections
 * are deliberately not laid out the way the Java planner would (referenced first, right after the
 * header, odd gaps), so the reader must follow the descriptors. Prints the layout it chose.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sonic_hint.h"

enum { SET_LIVE = 0, SET_FINAL = 1, SET_REFERENCED = 2 };
static const uint64_t block_len[3] = { 1, 4, 7 };

static uint64_t mix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

static int member(uint64_t seed, int set, uint64_t pfn)
{
	return mix(mix(seed + (uint64_t)set) ^ (pfn / block_len[set])) % 3 == 0;
}

static uint64_t runs_of(uint64_t seed, int set, uint64_t pfn_count)
{
	uint64_t runs = 0;
	for (uint64_t p = 0; p < pfn_count; p++)
		if (member(seed, set, p) && (p == 0 || !member(seed, set, p - 1)))
			runs++;
	return runs;
}

/* Writes the set into its section and returns the count for the descriptor. */
static uint64_t fill(struct sonic_hint_header *h, const struct sonic_set_desc *d, uint64_t seed, int set)
{
	uint64_t count = 0;
	if (d->encoding == SONIC_ENC_BITMAP) {
		uint64_t *words = sonic_section(h, d);
		memset(words, 0, d->capacity);
		for (uint64_t p = 0; p < h->pfn_count; p++)
			if (member(seed, set, p)) {
				sonic_bitmap_set(words, p);
				count++;
			}
	} else {
		struct sonic_extent *ext = sonic_section(h, d);
		for (uint64_t p = 0; p < h->pfn_count; p++) {
			if (!member(seed, set, p))
				continue;
			uint64_t start = p;
			while (p < h->pfn_count && member(seed, set, p))
				p++;
			ext[count].start = start;
			ext[count].len = p - start;
			count++;
		}
	}
	return count;
}

static uint64_t section_bytes(int extents, uint64_t seed, int set, uint64_t pfn_count)
{
	if (!extents)
		return sonic_bitmap_bytes(pfn_count);
	uint64_t runs = runs_of(seed, set, pfn_count);
	return (runs == 0 ? 1 : runs) * sizeof(struct sonic_extent);
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: %s OUT PFN_COUNT bitmap|extents SEED ABI_MINOR\n", argv[0]);
		return 64;
	}
	uint64_t pfn_count = strtoull(argv[2], NULL, 10);
	int extents = strcmp(argv[3], "extents") == 0;
	uint64_t seed = strtoull(argv[4], NULL, 10);
	unsigned minor = (unsigned)strtoul(argv[5], NULL, 10);
	uint32_t enc = extents ? SONIC_ENC_EXTENTS : SONIC_ENC_BITMAP;

	uint64_t ref_off = SONIC_HEADER_SIZE;
	uint64_t ref_cap = section_bytes(extents, seed, SET_REFERENCED, pfn_count);
	uint64_t fin_off = ref_off + ref_cap + 24;
	uint64_t fin_cap = section_bytes(extents, seed, SET_FINAL, pfn_count);
	uint64_t live_off = fin_off + fin_cap + 8;
	uint64_t live_cap = section_bytes(extents, seed, SET_LIVE, pfn_count);
	uint64_t end = live_off + live_cap;
	uint32_t pages = (uint32_t)((end + SONIC_PAGE_SIZE - 1) / SONIC_PAGE_SIZE);

	struct sonic_hint_header *h = aligned_alloc(SONIC_PAGE_SIZE, (size_t)pages * SONIC_PAGE_SIZE);
	if (h == NULL)
		return 70;
	memset(h, 0, (size_t)pages * SONIC_PAGE_SIZE);
	h->magic = SONIC_HINT_MAGIC;
	h->abi_major = SONIC_ABI_MAJOR;
	h->abi_minor = (uint16_t)minor;
	h->header_size = SONIC_HEADER_SIZE;
	h->page_size = SONIC_PAGE_SIZE;
	h->area_pages = pages;
	h->pfn_count = pfn_count;
	h->publish_period_ms = 1000;
	h->hold_timeout_ms = 60000;
	h->live = (struct sonic_set_desc){ .offset = live_off, .capacity = live_cap, .encoding = enc };
	h->final_set = (struct sonic_set_desc){ .offset = fin_off, .capacity = fin_cap, .encoding = enc };
	h->referenced = (struct sonic_set_desc){ .offset = ref_off, .capacity = ref_cap, .encoding = enc };

	/* three publications of the live hint; the last one stays */
	for (int i = 0; i < 3; i++) {
		sonic_live_write_begin(h);
		h->live.count = fill(h, &h->live, seed, SET_LIVE);
		h->referenced.count = fill(h, &h->referenced, seed, SET_REFERENCED);
		/* bit 40 is not defined in 1.0: readers must ignore it */
		h->live_flags = SONIC_FLAG_FREE | SONIC_FLAG_CLEAN_CACHE | SONIC_FLAG_REFERENCED | (1ULL << 40);
		h->live_time_ns = 123456789012ULL + (uint64_t)i;
		sonic_live_write_end(h);
	}

	/* handshakes 1..7, each superseding the previous; 7 completes */
	for (uint32_t seq = 1; seq <= 7; seq++) {
		sonic_hs_request(h, seq);
		sonic_hs_set(h, seq, SONIC_HS_DROPPING, SONIC_FAIL_NONE);
	}
	h->final_set.count = fill(h, &h->final_set, seed, SET_FINAL);
	h->final_flags = SONIC_FLAG_FREE | SONIC_FLAG_CLEAN_CACHE | SONIC_FLAG_HELD;
	h->final_time_ns = 123456799999ULL;
	sonic_hs_set(h, 7, SONIC_HS_FINAL_READY, SONIC_FAIL_NONE);

	FILE *f = fopen(argv[1], "wb");
	if (f == NULL || fwrite(h, SONIC_PAGE_SIZE, pages, f) != pages || fclose(f) != 0) {
		perror(argv[1]);
		return 74;
	}
	printf("live %llu %llu\nfinal_set %llu %llu\nreferenced %llu %llu\narea_pages %u\n",
	       (unsigned long long)live_off, (unsigned long long)live_cap,
	       (unsigned long long)fin_off, (unsigned long long)fin_cap,
	       (unsigned long long)ref_off, (unsigned long long)ref_cap, pages);
	free(h);
	return 0;
}
