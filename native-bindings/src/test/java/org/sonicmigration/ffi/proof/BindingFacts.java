package org.sonicmigration.ffi.proof;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.sonicmigration.ffi.proof.ArgFile.Include;
import org.sonicmigration.ffi.proof.ArgFile.Kind;
import org.sonicmigration.ffi.proof.BindingFact.ConstantFact;
import org.sonicmigration.ffi.proof.BindingFact.FieldFact;
import org.sonicmigration.ffi.proof.BindingFact.FunctionFact;
import org.sonicmigration.ffi.proof.BindingFact.PrimitiveTypedefFact;
import org.sonicmigration.ffi.proof.BindingFact.StructFact;
import org.sonicmigration.ffi.proof.BindingFact.StructTypedefFact;
import org.sonicmigration.ffi.proof.BindingFact.VariableFact;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * Reads the facts out of the binding classes by reflection, guided by the arg files for the C names:
 * layouts from {@code layout()}, descriptors from {@code name$descriptor()}, constants from their
 * accessors. Nothing here restates a size, offset or value: they all come from the Java side.
 */
final class BindingFacts {
    static final String PACKAGE = "org.sonicmigration.ffi";

    private BindingFacts() {}

    static Class<?> bindingClass(String simpleName) {
        try {
            return Class.forName(PACKAGE + "." + simpleName);
        } catch (ClassNotFoundException e) {
            throw new AssertionError("no binding class " + PACKAGE + "." + simpleName, e);
        }
    }

    static Object invokeStatic(Class<?> owner, String method) {
        try {
            Method m = owner.getMethod(method);
            return m.invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(owner.getSimpleName() + "." + method + "() not callable", e);
        }
    }

    /** The descriptor of a bound function: plain or variadic (jextract's invoker class). */
    static FunctionDescriptor descriptor(Class<?> header, String function) {
        Optional<Class<?>> invoker = nested(header, function).filter(c -> Modifier.isPublic(c.getModifiers()));
        if (invoker.isPresent()) {
            try {
                Object inv = invoker.get().getMethod("makeInvoker", MemoryLayout[].class).invoke(null, (Object) new MemoryLayout[0]);
                return (FunctionDescriptor) invoker.get().getMethod("descriptor").invoke(inv);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError("variadic invoker " + function + " not usable", e);
            }
        }
        return (FunctionDescriptor) invokeStatic(header, function + "$descriptor");
    }

    static Optional<Class<?>> nested(Class<?> owner, String simpleName) {
        for (Class<?> c : owner.getDeclaredClasses()) {
            if (c.getSimpleName().equals(simpleName)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    static GroupLayout layoutOf(Class<?> struct) {
        return (GroupLayout) invokeStatic(struct, "layout");
    }

    /** Every fact of every arg file. */
    static List<BindingFact> collect(List<ArgFile> argFiles) {
        Map<String, String> cTypeOfStructClass = new HashMap<>();
        for (ArgFile a : argFiles) {
            for (Include i : a.includes()) {
                if (i.kind() == Kind.STRUCT || (i.kind() == Kind.TYPEDEF && i.annotation().isPresent())) {
                    cTypeOfStructClass.put(i.name(), i.annotation().orElseThrow(
                            () -> new AssertionError(a + ": struct " + i.name() + " has no '#: C type' annotation")));
                }
            }
            a.opaqueStructs().forEach(s -> cTypeOfStructClass.put(s, s));
        }
        List<BindingFact> facts = new ArrayList<>();
        for (ArgFile a : argFiles) {
            Class<?> header = bindingClass(a.headerClass());
            for (Include i : a.includes()) {
                switch (i.kind()) {
                    case FUNCTION -> facts.add(new FunctionFact(i.name(), "&" + i.name(),
                            CSignature.parse(i.annotation().orElseThrow(
                                    () -> new AssertionError(a + ": function " + i.name() + " has no C signature"))),
                            descriptor(header, i.name())));
                    case STRUCT -> facts.addAll(structFacts(a, i.name(), cTypeOfStructClass.get(i.name())));
                    case TYPEDEF -> facts.addAll(typedefFacts(a, header, i, cTypeOfStructClass));
                    case CONSTANT -> {
                        Object v = invokeStatic(header, i.name());
                        Class<?> type = returnType(header, i.name());
                        facts.add(new ConstantFact(i.name(), type, ((Number) v).longValue()));
                    }
                    case VAR -> facts.add(new VariableFact(i.name(), i.annotation().orElseThrow(
                            () -> new AssertionError(a + ": variable " + i.name() + " has no C type")),
                            (MemoryLayout) invokeStatic(header, i.name() + "$layout")));
                }
            }
            for (String s : a.opaqueStructs()) {
                GroupLayout l = layoutOf(bindingClass(s));
                facts.add(new StructFact(s, s, l.byteSize(), l.byteAlignment(), List.of()));
            }
        }
        return facts;
    }

    private static List<BindingFact> structFacts(ArgFile a, String javaName, String cType) {
        Class<?> cls = bindingClass(javaName);
        GroupLayout layout = layoutOf(cls);
        List<FieldFact> fields = new ArrayList<>();
        List<BindingFact> result = new ArrayList<>();
        for (MemoryLayout member : layout.memberLayouts()) {
            if (member instanceof PaddingLayout || member.name().isEmpty()) {
                continue;
            }
            String name = member.name().orElseThrow();
            fields.add(new FieldFact(name, layout.byteOffset(groupElement(name)), member.byteSize()));
            Optional<Class<?>> fnClass = nested(cls, name);
            if (fnClass.isPresent()) {
                String sig = a.fieldSignatures().get(javaName + "." + name);
                if (sig == null) {
                    throw new AssertionError(a + ": function-pointer field " + javaName + "." + name + " has no #:field line");
                }
                FunctionDescriptor d = (FunctionDescriptor) invokeStatic(fnClass.get(), "descriptor");
                result.add(new FunctionFact(javaName + "." + name, "((" + cType + " *)0)->" + name, CSignature.parse(sig), d));
            }
        }
        result.addFirst(new StructFact(javaName, cType, layout.byteSize(), layout.byteAlignment(), List.copyOf(fields)));
        return result;
    }

    private static List<BindingFact> typedefFacts(ArgFile a, Class<?> header, Include i, Map<String, String> cTypes) {
        if (i.annotation().isPresent()) {   // typedef of an anonymous struct: jextract names the struct class after it
            return structFacts(a, i.name(), i.annotation().get());
        }
        try {
            Field f = header.getDeclaredField(i.name());
            return List.of(new PrimitiveTypedefFact(i.name(), (ValueLayout) f.get(null)));
        } catch (NoSuchFieldException e) {
            Class<?> c = bindingClass(i.name()).getSuperclass();
            while (c != null && !declaresLayout(c)) {
                c = c.getSuperclass();
            }
            if (c == null || !cTypes.containsKey(c.getSimpleName())) {
                throw new AssertionError(a + ": typedef " + i.name() + " is neither a layout field nor a struct subclass");
            }
            return List.of(new StructTypedefFact(i.name(), cTypes.get(c.getSimpleName())));
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }

    private static Class<?> returnType(Class<?> owner, String method) {
        try {
            return owner.getMethod(method).getReturnType();
        } catch (NoSuchMethodException e) {
            throw new AssertionError(owner.getSimpleName() + "." + method + "() missing", e);
        }
    }

    static boolean declaresLayout(Class<?> c) {
        try {
            c.getDeclaredMethod("layout");
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }
}
