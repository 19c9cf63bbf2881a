/*
 * xen-probe: from dom0, checks that a running guest can be inspected, mapped and dirty-logged
 * through the same C libraries the project's Java bindings call (libxenctrl, libxenforeignmemory).
 * It is the lab's native baseline: if this passes and a Java check fails, the fault is on the Java
 * side. Usage: xen-probe DOMID. Exit 0 only if every check passed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xenctrl.h>
#include <xenforeignmemory.h>

enum { MAP_PAGES = 16, CLEAN_ROUNDS = 4 };

static int failures;

/* Prints one check's outcome with its evidence and counts the failures. */
__attribute__((format(printf, 3, 4)))
static void verdict(int ok, const char *what, const char *detail_fmt, ...)
{
    va_list ap;
    printf("xen-probe: %-22s %s ", what, ok ? "ok  " : "FAIL");
    va_start(ap, detail_fmt);
    vprintf(detail_fmt, ap);
    va_end(ap);
    printf("\n");
    if (!ok)
        failures++;
}

static int parse_domid(const char *text, uint32_t *domid)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (errno || *text == '\0' || *end != '\0' || v == 0 || v >= DOMID_FIRST_RESERVED)
        return -1;
    *domid = (uint32_t)v;
    return 0;
}

/* Maps MAP_PAGES guest frames spread over the guest's RAM (a PVH guest's RAM starts at gfn 0),
 * so most must map and some must hold data: kernel, page cache, the guest's writer. */
static void check_foreign_map(uint32_t domid, unsigned long ram_pages)
{
    xenforeignmemory_handle *fmem = xenforeignmemory_open(NULL, 0);
    if (!fmem) {
        verdict(0, "foreignmemory_open", "errno=%d", errno);
        return;
    }
    xen_pfn_t gfns[MAP_PAGES];
    int errs[MAP_PAGES];
    for (int i = 0; i < MAP_PAGES; i++)
        gfns[i] = (xen_pfn_t)(ram_pages / MAP_PAGES * i);
    unsigned char *p = xenforeignmemory_map(fmem, domid, PROT_READ, MAP_PAGES, gfns, errs);
    if (!p) {
        verdict(0, "foreignmemory_map", "errno=%d pages=%d", errno, MAP_PAGES);
    } else {
        int mapped = 0, nonzero = 0;
        for (int i = 0; i < MAP_PAGES; i++) {
            if (errs[i])
                continue;
            mapped++;
            const unsigned char *page = p + (size_t)i * XC_PAGE_SIZE;
            for (size_t b = 0; b < XC_PAGE_SIZE; b++)
                if (page[b]) {
                    nonzero++;
                    break;
                }
        }
        verdict(mapped > MAP_PAGES / 2 && nonzero > 0, "foreignmemory_map",
                "mapped=%d nonzero_pages=%d of %d spread gfns", mapped, nonzero, MAP_PAGES);
        xenforeignmemory_unmap(fmem, p, MAP_PAGES);
    }
    xenforeignmemory_close(fmem);
}

/* Enables log-dirty, fetches-and-cleans the bitmap a few times while the guest's writer runs,
 * and expects the later rounds to see dirty pages but never more than the guest has. */
static void check_log_dirty(xc_interface *xch, uint32_t domid, unsigned long pages, unsigned long populated)
{
    int rc = xc_shadow_control(xch, domid, XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY, NULL, 0);
    verdict(rc == 0, "logdirty enable", "rc=%d errno=%d", rc, rc ? errno : 0);
    if (rc)
        return;

    size_t longs = (pages + 63) / 64;
    int bitmap_pages = (int)((longs * sizeof(unsigned long) + XC_PAGE_SIZE - 1) / XC_PAGE_SIZE);
    DECLARE_HYPERCALL_BUFFER(unsigned long, bitmap);
    bitmap = xc_hypercall_buffer_alloc_pages(xch, bitmap, bitmap_pages);
    if (!bitmap) {
        verdict(0, "bitmap alloc", "pages=%d errno=%d", bitmap_pages, errno);
    } else {
        unsigned long later_dirty = 0, max_dirty = 0;
        for (int round = 0; round < CLEAN_ROUNDS; round++) {
            xc_shadow_op_stats_t stats = { 0 };
            memset(bitmap, 0, longs * sizeof(unsigned long));
            long long r = xc_logdirty_control(xch, domid, XEN_DOMCTL_SHADOW_OP_CLEAN,
                                              HYPERCALL_BUFFER(bitmap), pages, 0, &stats);
            unsigned long dirty = 0;
            for (size_t i = 0; i < longs; i++)
                dirty += (unsigned long)__builtin_popcountl(bitmap[i]);
            printf("xen-probe: logdirty CLEAN round %d rc=%lld dirty=%lu\n", round, r, dirty);
            if (r < 0)
                verdict(0, "logdirty clean", "round=%d errno=%d", round, errno);
            if (round > 0)
                later_dirty += dirty;
            if (dirty > max_dirty)
                max_dirty = dirty;
            sleep(1);
        }
        verdict(later_dirty > 0, "logdirty sees writes", "dirty_in_rounds_1_to_%d=%lu",
                CLEAN_ROUNDS - 1, later_dirty);
        verdict(max_dirty <= populated, "logdirty bounded", "max_dirty=%lu populated=%lu",
                max_dirty, populated);
        xc_hypercall_buffer_free_pages(xch, bitmap, bitmap_pages);
    }
    rc = xc_shadow_control(xch, domid, XEN_DOMCTL_SHADOW_OP_OFF, NULL, 0);
    verdict(rc == 0, "logdirty off", "rc=%d errno=%d", rc, rc ? errno : 0);
}

int main(int argc, char **argv)
{
    uint32_t domid;
    if (argc != 2 || parse_domid(argv[1], &domid)) {
        fprintf(stderr, "usage: xen-probe DOMID   (a running guest's domain id, 1..%d)\n",
                DOMID_FIRST_RESERVED - 1);
        return 2;
    }
    xc_interface *xch = xc_interface_open(NULL, NULL, 0);
    if (!xch) {
        fprintf(stderr, "xen-probe: cannot open libxenctrl: %s\n", strerror(errno));
        return 1;
    }
    xc_dominfo_t info;
    if (xc_domain_getinfo(xch, domid, 1, &info) != 1 || info.domid != domid) {
        fprintf(stderr, "xen-probe: no domain %u\n", domid);
        xc_interface_close(xch);
        return 1;
    }
    verdict(info.hvm && info.hap, "domain is HVM-kind+HAP", "hvm=%u hap=%u", info.hvm, info.hap);
    verdict(info.nr_pages > 0, "domain pages", "nr_pages=%lu max_memkb=%lu",
            info.nr_pages, info.max_memkb);

    xen_pfn_t max_gpfn = 0;
    int rc = xc_domain_maximum_gpfn(xch, domid, &max_gpfn);
    verdict(rc == 0 && max_gpfn + 1 >= info.nr_pages, "maximum_gpfn", "rc=%d max_gpfn=0x%lx",
            rc, (unsigned long)max_gpfn);

    check_foreign_map(domid, info.nr_pages);
    if (rc == 0)
        check_log_dirty(xch, domid, (unsigned long)max_gpfn + 1, info.nr_pages);

    xc_interface_close(xch);
    printf("xen-probe: %s domid=%u nr_pages=%lu max_gpfn=0x%lx failures=%d\n",
           failures ? "FAIL" : "PASS", domid, info.nr_pages, (unsigned long)max_gpfn, failures);
    return failures ? 1 : 0;
}
