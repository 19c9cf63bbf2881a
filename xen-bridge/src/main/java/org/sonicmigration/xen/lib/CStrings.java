package org.sonicmigration.xen.lib;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Reads NUL-terminated strings that C hands over, never past a stated bound: a library bug must give
 * a truncated message, not a read across unmapped memory.
 */
final class CStrings {
    private CStrings() {}

    /**
     * The string at {@code pointer}, up to its NUL or {@code maxBytes} bytes (then cut, marked with "...").
     *
     * @return empty for a NULL pointer
     */
    @SuppressWarnings("restricted")
    static Optional<String> read(MemorySegment pointer, int maxBytes) {
        if (pointer.equals(MemorySegment.NULL)) {
            return Optional.empty();
        }
        MemorySegment bytes = pointer.reinterpret(maxBytes);
        for (int i = 0; i < maxBytes; i++) {
            if (bytes.get(ValueLayout.JAVA_BYTE, i) == 0) {
                return Optional.of(new String(bytes.asSlice(0, i).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
            }
        }
        return Optional.of(new String(bytes.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8) + "...");
    }

    /**
     * The whole string at {@code pointer} (non-NULL), for text that must not be cut (a configuration).
     *
     * @return empty if there is no NUL within {@code maxBytes} bytes
     */
    @SuppressWarnings("restricted")
    static Optional<String> readWhole(MemorySegment pointer, int maxBytes) {
        MemorySegment bytes = pointer.reinterpret(maxBytes);
        for (int i = 0; i < maxBytes; i++) {
            if (bytes.get(ValueLayout.JAVA_BYTE, i) == 0) {
                return Optional.of(new String(bytes.asSlice(0, i).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }
}
