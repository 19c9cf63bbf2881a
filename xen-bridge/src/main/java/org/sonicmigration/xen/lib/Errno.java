package org.sonicmigration.xen.lib;

import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

import org.sonicmigration.ffi.libc_h;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * errno as FFM captures it right after a downcall ({@link Linker.Option#captureCallState}), and its text
 * from libc's {@code strerror}. Reading errno from Java any later would see whatever the JVM did since.
 */
final class Errno {
    static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(groupElement("errno"));

    private Errno() {}

    /** The errno value saved in a capture-state segment. */
    static int read(MemorySegment captureState) {
        return (int) ERRNO.get(captureState, 0L);
    }

    /** libc's description of an errno value, e.g. "No such file or directory". */
    static String describe(int errno) {
        MemorySegment text = libc_h.strerror(errno);
        return CStrings.read(text, 256).orElse("errno " + errno);
    }
}
