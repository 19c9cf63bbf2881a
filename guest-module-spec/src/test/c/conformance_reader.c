/*
 * Conformance reader: reads a hint area file (written by the Java writer) through sonic_hint.h, checks
 * it the way dom0 must, and prints every field and every set as maximal runs, for the Java test to
 * compare with what it wrote.
 *
 *   conformance_reader IN EXPECTED_PFNS
 *
 * Exit 0 with the dump on stdout, or 2 with "invalid: ..." on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sonic_hint.h"

static const char *invalid;

#define CHECK(cond, msg) do { if (!(cond)) { invalid = (msg); return 0; } } while (0)

static int check_section(const struct sonic_hint_header *h, const struct sonic_set_desc *d, uint64_t area_bytes)
{
	if (d->encoding == SONIC_ENC_ABSENT)
		return 1;
	CHECK(d->encoding == SONIC_ENC_BITMAP || d->encoding == SONIC_ENC_EXTENTS, "unknown encoding");
	CHECK(d->offset % 8 == 0, "section misaligned");
	CHECK(d->offset >= h->header_size && d->offset <= area_bytes && d->capacity <= area_bytes - d->offset,
	      "section out of bounds");
	if (d->encoding == SONIC_ENC_BITMAP)
		CHECK(d->capacity >= sonic_bitmap_bytes(h->pfn_count), "bitmap section too small");
	else
		CHECK(d->capacity >= sizeof(struct sonic_extent) && d->capacity % sizeof(struct sonic_extent) == 0,
		      "extent section too small");
	return 1;
}

static int overlap(const struct sonic_set_desc *a, const struct sonic_set_desc *b)
{
	return a->encoding != SONIC_ENC_ABSENT && b->encoding != SONIC_ENC_ABSENT &&
	       a->offset < b->offset + b->capacity && b->offset < a->offset + a->capacity;
}

/* Prints the set as maximal runs "start+len"; checks its count and, for extents, its order. */
static int print_set(const char *name, struct sonic_hint_header *h, const struct sonic_set_desc *d)
{
	printf("%s runs:", name);
	if (d->encoding == SONIC_ENC_BITMAP) {
		const uint64_t *words = sonic_section(h, d);
		uint64_t population = 0;
		for (uint64_t p = 0; p < h->pfn_count; p++) {
			if (!sonic_bitmap_test(words, p))
				continue;
			uint64_t start = p;
			while (p < h->pfn_count && sonic_bitmap_test(words, p))
				p++;
			population += p - start;
			printf(" %llu+%llu", (unsigned long long)start, (unsigned long long)(p - start));
		}
		printf("\n");
		CHECK(population == d->count, "bitmap count mismatch");
	} else if (d->encoding == SONIC_ENC_EXTENTS) {
		const struct sonic_extent *ext = sonic_section(h, d);
		uint64_t prev_end = 0;
		CHECK(d->count <= d->capacity / sizeof(struct sonic_extent), "extent count over capacity");
		for (uint64_t i = 0; i < d->count; i++) {
			CHECK(ext[i].len != 0 && ext[i].start < h->pfn_count && ext[i].len <= h->pfn_count - ext[i].start,
			      "extent out of range");
			CHECK(ext[i].start >= prev_end, "extents unsorted");
			prev_end = ext[i].start + ext[i].len;
			printf(" %llu+%llu", (unsigned long long)ext[i].start, (unsigned long long)ext[i].len);
		}
		printf("\n");
	} else {
		printf(" absent\n");
	}
	return 1;
}

static void print_desc(const char *name, const struct sonic_set_desc *d)
{
	printf("%s encoding %u offset %llu capacity %llu count %llu\n", name, d->encoding,
	       (unsigned long long)d->offset, (unsigned long long)d->capacity, (unsigned long long)d->count);
}

static int dump(struct sonic_hint_header *h, uint64_t file_bytes, uint64_t expected_pfns)
{
	CHECK(file_bytes >= SONIC_HEADER_SIZE, "area too small");
	CHECK(h->magic == SONIC_HINT_MAGIC, "bad magic");
	CHECK(h->abi_major == SONIC_ABI_MAJOR, "unsupported major");
	CHECK(h->page_size == SONIC_PAGE_SIZE, "bad page size");
	CHECK(h->header_size >= SONIC_HEADER_SIZE && h->header_size <= h->page_size && h->header_size % 8 == 0,
	      "bad header size");
	uint64_t area_bytes = (uint64_t)h->area_pages * h->page_size;
	CHECK(h->area_pages >= 1 && h->area_pages <= SONIC_MAX_AREA_PAGES && area_bytes <= file_bytes, "bad area size");
	CHECK(h->pfn_count >= 1 && h->pfn_count <= expected_pfns, "pfn count mismatch");
	if (!check_section(h, &h->live, area_bytes) || !check_section(h, &h->final_set, area_bytes) ||
	    !check_section(h, &h->referenced, area_bytes))
		return 0;
	CHECK(!overlap(&h->live, &h->final_set) && !overlap(&h->live, &h->referenced) &&
	      !overlap(&h->final_set, &h->referenced), "sections overlap");
	for (int i = 0; i < 5; i++)
		CHECK(h->reserved0[i] == 0, "reserved0 not zero");
	for (int i = 0; i < 4; i++)
		CHECK(h->reserved1[i] == 0, "reserved1 not zero");

	/* The file does not change under us; the seqlock read still goes through the helpers. */
	uint64_t g = sonic_live_read_begin(h);
	uint64_t live_flags = h->live_flags, live_time = h->live_time_ns;
	CHECK(!sonic_live_read_retry(h, g), "torn");
	uint64_t hs = sonic_load64(&h->handshake);
	CHECK(SONIC_HS_STATE(hs) <= SONIC_HS_FAILED, "bad handshake state");
	CHECK((hs & 0xffff0000ULL) == 0, "handshake reserved bits set");

	printf("abi %u.%u\n", h->abi_major, h->abi_minor);
	printf("header_size %u\npage_size %u\narea_pages %u\n", h->header_size, h->page_size, h->area_pages);
	printf("pfn_count %llu\n", (unsigned long long)h->pfn_count);
	printf("publish_period_ms %u\nhold_timeout_ms %u\n", h->publish_period_ms, h->hold_timeout_ms);
	printf("gen %llu\nlive_flags 0x%llx\nlive_time_ns %llu\n", (unsigned long long)g,
	       (unsigned long long)live_flags, (unsigned long long)live_time);
	printf("handshake seq %u state %u reason %u\n", SONIC_HS_SEQ(hs), SONIC_HS_STATE(hs), SONIC_HS_REASON(hs));
	printf("final_flags 0x%llx\nfinal_time_ns %llu\n", (unsigned long long)h->final_flags,
	       (unsigned long long)h->final_time_ns);
	print_desc("live", &h->live);
	print_desc("final_set", &h->final_set);
	print_desc("referenced", &h->referenced);
	return print_set("live", h, &h->live) && print_set("final_set", h, &h->final_set) &&
	       print_set("referenced", h, &h->referenced);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s IN EXPECTED_PFNS\n", argv[0]);
		return 64;
	}
	FILE *f = fopen(argv[1], "rb");
	if (f == NULL || fseek(f, 0, SEEK_END) != 0) {
		perror(argv[1]);
		return 66;
	}
	long size = ftell(f);
	rewind(f);
	size_t alloc = ((size_t)size + SONIC_PAGE_SIZE - 1) / SONIC_PAGE_SIZE * SONIC_PAGE_SIZE;
	struct sonic_hint_header *h = aligned_alloc(SONIC_PAGE_SIZE, alloc < SONIC_PAGE_SIZE ? SONIC_PAGE_SIZE : alloc);
	if (h == NULL || fread(h, 1, (size_t)size, f) != (size_t)size) {
		perror(argv[1]);
		return 66;
	}
	fclose(f);
	if (!dump(h, (uint64_t)size, strtoull(argv[2], NULL, 10))) {
		fflush(stdout);
		fprintf(stderr, "invalid: %s\n", invalid);
		return 2;
	}
	return 0;
}
