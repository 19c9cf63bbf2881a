package org.sonicmigration.ffi.proof;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.util.List;

/**
 * What one binding claims about C, read from the Java classes by reflection: the input of the static
 * assertion program. Each fact knows the label gcc will print when the claim is false.
 */
sealed interface BindingFact {

    String label();

    /** A struct's size and alignment and, unless opaque, every named field's offset and size. */
    record StructFact(String label, String cType, long size, long alignment, List<FieldFact> fields) implements BindingFact {
        StructFact withField(int index, FieldFact field) {
            List<FieldFact> copy = new java.util.ArrayList<>(fields);
            copy.set(index, field);
            return new StructFact(label, cType, size, alignment, List.copyOf(copy));
        }
    }

    /** One named member of a struct layout. */
    record FieldFact(String name, long offset, long size) {}

    /**
     * A function (or function-pointer field) with its descriptor and its C type from the arg file.
     *
     * @param cExpression an expression whose type is a pointer to the function, e.g. {@code &xc_domain_pause}
     */
    record FunctionFact(String label, String cExpression, CSignature signature, FunctionDescriptor descriptor)
            implements BindingFact {}

    /** A macro or enum constant and the Java type and value the binding returns for it. */
    record ConstantFact(String label, Class<?> javaType, long value) implements BindingFact {}

    /** A typedef of a primitive type, bound as a value layout. */
    record PrimitiveTypedefFact(String label, MemoryLayout layout) implements BindingFact {}

    /** A typedef class extending a struct class: the typedef must name that same C struct. */
    record StructTypedefFact(String label, String targetCType) implements BindingFact {}

    /** A global variable with its C type from the arg file and the layout the binding reads it with. */
    record VariableFact(String label, String cType, MemoryLayout layout) implements BindingFact {}
}
