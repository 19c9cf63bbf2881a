package org.sonicmigration.stream;

/**
 * The xl save-file header as read from a stream.
 *
 * @param mandatoryFlags bit 0: the config is JSON; bit 1: a libxl v2 stream follows
 * @param optionalFlags  always 0 in what xl writes
 * @param jsonConfig     the domain configuration from the optional data, without its trailing NUL;
 *                       empty when the header carries none
 */
public record XlHeader(int mandatoryFlags, int optionalFlags, String jsonConfig) {

    /** Mandatory flag: the configuration is JSON. */
    public static final int FLAG_JSON = 1;
    /** Mandatory flag: the libxl/libxc v2 stream follows. */
    public static final int FLAG_STREAM_V2 = 2;
}
