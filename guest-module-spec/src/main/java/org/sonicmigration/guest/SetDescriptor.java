package org.sonicmigration.guest;

import java.lang.foreign.MemorySegment;

/**
 * A decoded {@code struct sonic_set_desc}: where one PFN set lives in the area. Values are raw (u64 fields
 * may be "negative" when read as Java longs); {@link HintAreaReader} validates them before any use.
 *
 * @param offset       byte offset from the start of the area
 * @param capacity     bytes reserved for the section
 * @param encodingCode raw {@code encoding} value; {@link #encoding()} decodes it
 * @param count        set bits (bitmap) or extents in use (extents)
 */
public record SetDescriptor(long offset, long capacity, long encodingCode, long count) {

    public static final SetDescriptor ABSENT = new SetDescriptor(0, 0, SetEncoding.ABSENT.code(), 0);

    static SetDescriptor decode(MemorySegment header, long at) {
        return new SetDescriptor(
                header.get(HintAreaLayout.U64_UNALIGNED, at + HintAreaLayout.DESC_OFFSET),
                header.get(HintAreaLayout.U64_UNALIGNED, at + HintAreaLayout.DESC_CAPACITY),
                Integer.toUnsignedLong(header.get(HintAreaLayout.U32.withByteAlignment(1), at + HintAreaLayout.DESC_ENCODING)),
                header.get(HintAreaLayout.U64_UNALIGNED, at + HintAreaLayout.DESC_COUNT));
    }

    /** The encoding, or empty if this ABI minor does not know the value. */
    public java.util.Optional<SetEncoding> encoding() {
        return SetEncoding.fromCode(encodingCode);
    }

    public boolean present() {
        return encodingCode != SetEncoding.ABSENT.code();
    }
}
