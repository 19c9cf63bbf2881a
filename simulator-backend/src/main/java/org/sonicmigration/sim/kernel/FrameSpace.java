package org.sonicmigration.sim.kernel;

/**
 * Where a guest's RAM sits in its frame space. {@link #XEN_PVH} reproduces what Xen 4.17's toolstack builds
 * for a PVH guest: RAM from pfn 0 up to 3.75 GiB, the rest above 4 GiB, a few populated non-RAM frames
 * (ACPI tables at pfn 0xfc000, the eight special pages 0xfeff8..0xfefff) and a frame space that reaches at
 * least pfn 0xff000, so a migration walks many holes. {@link #FLAT} is RAM only, pfns {@code [0, ram)}.
 */
public enum FrameSpace {
    XEN_PVH, FLAT;

    /** First pfn of the MMIO hole below 4 GiB (0xF0000000). */
    public static final long LOW_RAM_END = 0xF0000L;
    /** First pfn above 4 GiB. */
    public static final long HIGH_RAM_START = 0x100000L;
    /** First pfn of the ACPI tables the toolstack writes for PVH. */
    public static final long ACPI_PFN = 0xFC000L;
    /** ACPI pages populated: the lab's 128 MiB guest had 32,784 populated frames = RAM + 8 special + 8 more. */
    public static final int ACPI_PAGES = 8;
    /** First of Xen's eight special pages (paging, monitor, sharing rings, bufioreq, xenstore, ioreq, ident PT, console). */
    public static final long SPECIAL_PFN = 0xFEFF8L;
    public static final int SPECIAL_PAGES = 8;
    /** One past the last special page: Xen walks up to here. */
    public static final long SPECIAL_END = 0xFF000L;

    /** The pfn of RAM page {@code r} (0-based). */
    public long pfnOfRam(long r) {
        if (this == FLAT || r < LOW_RAM_END) {
            return r;
        }
        return r - LOW_RAM_END + HIGH_RAM_START;
    }

    /** One past the last RAM pfn for {@code ramPages} of RAM. */
    public long ramEnd(long ramPages) {
        return ramPages == 0 ? 0 : pfnOfRam(ramPages - 1) + 1;
    }

    public long pfnLimit(long ramPages) {
        long end = ramEnd(ramPages);
        return this == FLAT ? end : Math.max(end, SPECIAL_END);
    }
}
