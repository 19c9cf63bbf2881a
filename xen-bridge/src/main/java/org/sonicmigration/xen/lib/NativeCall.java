package org.sonicmigration.xen.lib;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One C function of the bindings, called through a downcall handle that also captures errno (the
 * generated handles do not: jextract never adds {@code captureCallState}). Built from a binding's
 * {@code name$address()} and {@code name$descriptor()}, so the signature is the one the layout proof
 * checked. Each call returns the raw value with the errno it left; the wrappers decide what is a failure.
 */
final class NativeCall {

    /** A call's return value (boxed as the descriptor says) and the errno captured right after it. */
    record Outcome(Object value, int errno) {
        int asInt() {
            return (Integer) value;
        }

        long asLong() {
            return (Long) value;
        }

        boolean asBoolean() {
            return (Boolean) value;
        }

        MemorySegment asPointer() {
            return (MemorySegment) value;
        }

        boolean isNull() {
            return asPointer().equals(MemorySegment.NULL);
        }
    }

    private final String name;
    private final MethodHandle handle;

    private NativeCall(String name, MethodHandle handle) {
        this.name = name;
        this.handle = handle;
    }

    @SuppressWarnings("restricted")
    static NativeCall of(String name, MemorySegment address, FunctionDescriptor descriptor) {
        return new NativeCall(name, Linker.nativeLinker().downcallHandle(address, descriptor, Errno.CAPTURE));
    }

    String name() {
        return name;
    }

    Outcome invoke(Object... args) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = call.allocate(Errno.CAPTURE_LAYOUT);
            List<Object> all = new ArrayList<>(args.length + 1);
            all.add(state);
            all.addAll(Arrays.asList(args));
            Object value = handle.invokeWithArguments(all);
            return new Outcome(value, Errno.read(state));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(name + ": unexpected failure of the downcall", t);
        }
    }

    /** Calls and throws {@link XenCallException} when the int result is negative (libxc's -1 with errno). */
    int intOrThrow(String context, Object... args) {
        Outcome o = invoke(args);
        if (o.asInt() < 0) {
            throw new XenCallException(name, context, o.asInt(), o.errno());
        }
        return o.asInt();
    }

    /** Calls and throws {@link XenCallException} when the pointer result is NULL. */
    MemorySegment pointerOrThrow(String context, Object... args) {
        Outcome o = invoke(args);
        if (o.isNull()) {
            throw new XenCallException(name, context, 0, o.errno());
        }
        return o.asPointer();
    }

    /** Calls and throws {@link XenCallException} when the bool result is false (libxenstore's convention). */
    void trueOrThrow(String context, Object... args) {
        Outcome o = invoke(args);
        if (!o.asBoolean()) {
            throw new XenCallException(name, context, 0, o.errno());
        }
    }
}
