package org.sonicmigration.stream;

/**
 * The outer framing of a stream: what comes before the libxc image header. {@link #XL} is an xl save
 * file or {@code xl migrate} stream (xl header, then the libxl stream); {@link #LIBXL} starts with the
 * {@code LibxlFmt} header; {@link #LIBXC} is a bare libxc stream starting at its image header.
 */
public enum Framing { XL, LIBXL, LIBXC }
