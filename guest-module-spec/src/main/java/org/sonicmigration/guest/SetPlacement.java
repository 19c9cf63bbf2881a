package org.sonicmigration.guest;

/**
 * Where the guest puts one PFN set in its area and how it encodes it: the static part of a
 * {@code sonic_set_desc}.
 *
 * @param encoding how the set is stored
 * @param offset   byte offset from the start of the area (0 when absent)
 * @param capacity bytes reserved (0 when absent)
 */
public record SetPlacement(SetEncoding encoding, long offset, long capacity) {

    public static final SetPlacement ABSENT = new SetPlacement(SetEncoding.ABSENT, 0, 0);

    public SetPlacement {
        if (encoding == SetEncoding.ABSENT ? (offset != 0 || capacity != 0) : (offset < 0 || capacity <= 0 || offset % 8 != 0)) {
            throw new IllegalArgumentException("bad placement: " + encoding + " at " + offset + " of " + capacity + " bytes");
        }
        if (encoding == SetEncoding.EXTENTS && capacity % HintAreaLayout.EXTENT_SIZE != 0) {
            throw new IllegalArgumentException("extent section capacity must be a multiple of 16: " + capacity);
        }
    }

    public boolean present() {
        return encoding != SetEncoding.ABSENT;
    }

    /** How many extents fit (extent encoding). */
    public long extentCapacity() {
        return capacity / HintAreaLayout.EXTENT_SIZE;
    }

    long end() {
        return offset + capacity;
    }
}
