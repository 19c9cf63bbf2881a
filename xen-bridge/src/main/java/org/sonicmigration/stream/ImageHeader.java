package org.sonicmigration.stream;

/**
 * The libxc image header's variable fields (the marker and the "XENF" id are fixed).
 *
 * @param version stream version: Xen 4.17 writes 3, reads 2 and 3
 * @param options option bits; bit 0 set would mean big-endian records
 */
public record ImageHeader(int version, int options) {

    /** The version this project writes, the one Xen 4.17 writes. */
    public static final int VERSION_3 = 3;
}
