package org.sonicmigration.ffi.proof;

import java.io.IOException;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sonicmigration.ffi.proof.ArgFile.Include;
import org.sonicmigration.ffi.proof.ArgFile.Kind;
import org.sonicmigration.ffi.support.XenLibrary;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The arg files and the checked-in classes describe the same bindings, both ways: every included
 * symbol has its binding in jextract's shape, and every binding member traces back to an include.
 * This is what stops the hand-kept classes and the regeneration recipe from drifting apart.
 */
class ArgFilesMatchBindingsTest {

    private static final Set<String> HEADER_SUFFIXES = Set.of("$descriptor", "$handle", "$address", "$layout", "$segment");

    private static List<ArgFile> argFiles;

    @BeforeAll
    static void read() {
        argFiles = ArgFile.all(ArgFile.directory());
    }

    @Test
    void everyArgFileTargetsTheBindingPackageWithOneSharedSymbolsClass() {
        for (ArgFile a : argFiles) {
            assertThat(a.targetPackage()).as(a + " package").isEqualTo(BindingFacts.PACKAGE);
            assertThat(a.symbolsClass()).as(a + " symbols class").isEqualTo("xen_shared");
            assertThat(a.headerClass()).as(a + " header class").isNotBlank();
            assertThat(a.header()).as(a + " header").isNotBlank();
            assertThat(Files.isReadable(a.path().getParent().resolve(a.header())) || Path.of(a.header()).isAbsolute())
                    .as(a + " header file " + a.header()).isTrue();
        }
    }

    @Test
    void everySymbolIsIncludedByExactlyOneArgFile() {
        Map<String, String> owner = new HashMap<>();
        for (ArgFile a : argFiles) {
            List<String> names = new ArrayList<>(a.includes().stream().map(Include::name).toList());
            names.addAll(a.opaqueStructs());
            for (String n : names) {
                String previous = owner.put(n, a.toString());
                assertThat(previous).as(n + " included by " + previous + " and " + a).isNull();
            }
        }
    }

    @Test
    void everyLibraryIsLoadedByItsVersionedSonameAndKnownToXenLibrary() throws IOException {
        for (ArgFile a : argFiles) {
            String source = Files.readString(sourceOf(a.headerClass()));
            for (String lib : a.libraries()) {
                assertThat(lib).as(a + " loads a versioned soname").matches("lib[a-z]+\\.so\\.[0-9.]+");
                assertThat(source).as(a.headerClass() + " looks up " + lib)
                        .contains("SymbolLookup.libraryLookup(\"" + lib + "\", LIBRARY_ARENA)");
                XenLibrary known = Stream.of(XenLibrary.values()).filter(x -> x.bindingClass().equals(a.headerClass()))
                        .findFirst().orElseThrow(() -> new AssertionError("XenLibrary has no entry for " + a.headerClass()));
                assertThat(known.soname()).isEqualTo(lib);
            }
        }
        Set<String> headerClasses = new HashSet<>(argFiles.stream().map(ArgFile::headerClass).toList());
        for (XenLibrary x : XenLibrary.values()) {
            assertThat(headerClasses).as("XenLibrary." + x + " names a header class of some arg file").contains(x.bindingClass());
        }
    }

    @Test
    void everyIncludedFunctionHasItsDowncallBindingAndCSignature() {
        for (ArgFile a : argFiles) {
            Class<?> header = BindingFacts.bindingClass(a.headerClass());
            for (Include f : a.of(Kind.FUNCTION)) {
                assertThat(f.annotation()).as(a + ": C signature of " + f.name()).isPresent();
                CSignature sig = CSignature.parse(f.annotation().get());
                if (sig.variadic()) {
                    Class<?> invoker = BindingFacts.nested(header, f.name()).orElseThrow();
                    assertThat(Modifier.isPublic(invoker.getModifiers())).as(f.name() + " invoker is public").isTrue();
                    assertThat(hasStatic(invoker, "makeInvoker")).isTrue();
                } else {
                    for (String suffix : List.of("$descriptor", "$handle", "$address")) {
                        assertThat(hasStatic(header, f.name() + suffix)).as(a.headerClass() + "." + f.name() + suffix).isTrue();
                    }
                    assertThat(hasStatic(header, f.name())).as(a.headerClass() + "." + f.name()).isTrue();
                    assertThat(BindingFacts.descriptor(header, f.name()).argumentLayouts()).as(f.name() + " arity")
                            .hasSize(sig.params().size());
                }
            }
        }
    }

    @Test
    void everyIncludedStructHasALayoutAndAccessorsForEveryNamedField() {
        for (ArgFile a : argFiles) {
            List<String> structs = new ArrayList<>(a.of(Kind.STRUCT).stream().map(Include::name).toList());
            a.of(Kind.TYPEDEF).stream().filter(i -> i.annotation().isPresent()).map(Include::name).forEach(structs::add);
            for (Include s : a.of(Kind.STRUCT)) {
                assertThat(s.annotation()).as(a + ": C type of struct " + s.name()).isPresent();
            }
            for (String s : structs) {
                Class<?> cls = BindingFacts.bindingClass(s);
                GroupLayout layout = BindingFacts.layoutOf(cls);
                assertThat(layout.name()).as(s + " layout name").hasValue(s);
                for (String m : List.of("sizeof", "allocate", "allocateArray", "asSlice", "reinterpret")) {
                    assertThat(hasStatic(cls, m)).as(s + "." + m).isTrue();
                }
                Set<String> fnFields = new HashSet<>();
                for (MemoryLayout member : layout.memberLayouts()) {
                    if (member instanceof PaddingLayout) {
                        continue;
                    }
                    String f = member.name().orElseThrow(() -> new AssertionError(s + ": unnamed member " + member));
                    for (String suffix : List.of("$layout", "$offset", "")) {
                        assertThat(hasStatic(cls, f + suffix)).as(s + "." + f + suffix).isTrue();
                    }
                    long offset = (long) BindingFacts.invokeStatic(cls, f + "$offset");
                    assertThat(offset).as(s + "." + f + "$offset() agrees with the layout")
                            .isEqualTo(layout.byteOffset(groupElement(f)));
                    if (BindingFacts.nested(cls, f).isPresent()) {
                        fnFields.add(s + "." + f);
                    }
                }
                Set<String> declared = new TreeSet<>(a.fieldSignatures().keySet().stream().filter(k -> k.startsWith(s + ".")).toList());
                assertThat(fnFields).as(s + ": function-pointer classes vs #:field lines").isEqualTo(declared);
            }
            for (String s : a.opaqueStructs()) {
                GroupLayout layout = BindingFacts.layoutOf(BindingFacts.bindingClass(s));
                assertThat(layout.memberLayouts()).as(s + " is opaque: one padding member")
                        .singleElement().isInstanceOf(PaddingLayout.class);
            }
        }
    }

    @Test
    void everyIncludedTypedefConstantAndVariableIsBound() throws ReflectiveOperationException {
        for (ArgFile a : argFiles) {
            Class<?> header = BindingFacts.bindingClass(a.headerClass());
            for (Include t : a.of(Kind.TYPEDEF)) {
                if (t.annotation().isPresent()) {
                    continue;   // a struct named by its typedef, checked with the structs
                }
                boolean field = Stream.of(header.getDeclaredFields()).anyMatch(f -> f.getName().equals(t.name()));
                if (field) {
                    assertThat(header.getDeclaredField(t.name()).get(null)).as(t.name()).isInstanceOf(ValueLayout.class);
                } else {
                    Class<?> cls = BindingFacts.bindingClass(t.name());
                    Class<?> sup = cls.getSuperclass();
                    while (sup != null && !BindingFacts.declaresLayout(sup)) {
                        sup = sup.getSuperclass();
                    }
                    assertThat(sup).as(t.name() + " extends a struct class").isNotNull();
                }
            }
            for (Include c : a.of(Kind.CONSTANT)) {
                Method m = header.getMethod(c.name());
                assertThat(m.getReturnType()).as(c.name()).isIn(int.class, long.class);
                assertThat(Modifier.isStatic(m.getModifiers())).isTrue();
            }
            for (Include v : a.of(Kind.VAR)) {
                assertThat(v.annotation()).as(a + ": C type of variable " + v.name()).isPresent();
                assertThat(hasStatic(header, v.name() + "$segment")).isTrue();
            }
        }
    }

    @Test
    void headerClassesDeclareNothingThatNoArgFileIncludes() {
        for (ArgFile a : argFiles) {
            Class<?> header = BindingFacts.bindingClass(a.headerClass());
            Set<String> included = new HashSet<>(a.includes().stream().map(Include::name).toList());
            for (Method m : header.getDeclaredMethods()) {
                if (!Modifier.isPublic(m.getModifiers())) {
                    continue;
                }
                String base = m.getName();
                for (String suffix : HEADER_SUFFIXES) {
                    if (base.endsWith(suffix)) {
                        base = base.substring(0, base.length() - suffix.length());
                    }
                }
                assertThat(included).as(a.headerClass() + "." + m.getName() + " comes from an include").contains(base);
            }
            for (Field f : header.getDeclaredFields()) {
                if (Modifier.isPublic(f.getModifiers())) {
                    assertThat(included).as(a.headerClass() + "." + f.getName() + " is an included typedef").contains(f.getName());
                }
            }
            for (Class<?> nested : header.getDeclaredClasses()) {
                String name = nested.getSimpleName().replace("$constants", "");
                assertThat(included).as(a.headerClass() + "." + nested.getSimpleName() + " holds an included symbol").contains(name);
            }
        }
    }

    @Test
    void thePackageHoldsNoClassThatNoArgFileAccountsFor() throws IOException {
        Set<String> expected = new TreeSet<>();
        expected.add("xen_shared");
        expected.add("package-info");
        for (ArgFile a : argFiles) {
            expected.add(a.headerClass());
            a.of(Kind.STRUCT).forEach(i -> expected.add(i.name()));
            a.opaqueStructs().forEach(expected::add);
            Class<?> header = BindingFacts.bindingClass(a.headerClass());
            for (Include t : a.of(Kind.TYPEDEF)) {
                boolean asField = Stream.of(header.getDeclaredFields()).anyMatch(f -> f.getName().equals(t.name()));
                if (!asField) {
                    expected.add(t.name());
                }
            }
        }
        Set<String> actual = new TreeSet<>();
        Path dir = sourceOf("xen_shared").getParent();
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(p -> p.toString().endsWith(".java"))
                    .forEach(p -> actual.add(p.getFileName().toString().replace(".java", "")));
        }
        assertThat(actual).isEqualTo(expected);
    }

    private static boolean hasStatic(Class<?> owner, String name) {
        return Stream.of(owner.getDeclaredMethods())
                .anyMatch(m -> m.getName().equals(name) && Modifier.isStatic(m.getModifiers()) && Modifier.isPublic(m.getModifiers()));
    }

    static Path sourceOf(String simpleName) {
        String src = System.getProperty("sonic.bindings.src", "src/main/java");
        return Path.of(src, BindingFacts.PACKAGE.replace('.', '/'), simpleName + ".java");
    }
}
