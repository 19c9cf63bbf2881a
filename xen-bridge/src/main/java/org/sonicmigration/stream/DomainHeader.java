package org.sonicmigration.stream;

/**
 * The libxc domain header: what kind of guest the stream holds and which Xen wrote it.
 *
 * @param type      1 x86 PV, 2 x86 HVM (PVH guests are HVM here)
 * @param pageShift log2 of the page size, 12
 * @param xenMajor  major version of the writing Xen (0 for a stream converted from a legacy image)
 * @param xenMinor  minor version of the writing Xen
 */
public record DomainHeader(int type, int pageShift, int xenMajor, int xenMinor) {

    /** Domain type of an x86 PV guest. */
    public static final int TYPE_X86_PV = 1;
    /** Domain type of an x86 HVM or PVH guest. */
    public static final int TYPE_X86_HVM = 2;
    /** The only page shift Xen uses on x86. */
    public static final int PAGE_SHIFT = 12;

    /** An HVM domain header naming the given Xen version. */
    public static DomainHeader hvm(int xenMajor, int xenMinor) {
        return new DomainHeader(TYPE_X86_HVM, PAGE_SHIFT, xenMajor, xenMinor);
    }
}
