package org.sonicmigration.ffi.proof;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sonicmigration.ffi.proof.ArgFile.Include;
import org.sonicmigration.ffi.proof.ArgFile.Kind;
import org.sonicmigration.ffi.support.XenLibrary;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every bound function resolves in the versioned library its arg file names (not merely somewhere in
 * the process), and the binding's address is that very symbol. Libraries come from {@code libxen-dev}'s
 * runtime dependencies (libxenmisc4.17, libxenstore4, ...), so this runs without a hypervisor.
 */
class SymbolProofTest {

    private static List<ArgFile> argFiles;

    @BeforeAll
    static void read() {
        argFiles = ArgFile.all(ArgFile.directory());
        for (XenLibrary lib : XenLibrary.values()) {
            assertThat(lib.problem()).as(lib.soname() + " loads here (apt-get install libxen-dev)").isEmpty();
        }
    }

    @Test
    void everyFunctionResolvesInItsOwnVersionedLibraryAtTheBindingsAddress() {
        int checked = 0;
        java.util.Set<String> names = new java.util.HashSet<>();
        for (ArgFile a : argFiles) {
            Class<?> header = BindingFacts.bindingClass(a.headerClass());
            try (Arena arena = Arena.ofConfined()) {
                SymbolLookup own = a.libraries().isEmpty()
                        ? Linker.nativeLinker().defaultLookup()
                        : a.libraries().stream().map(l -> SymbolLookup.libraryLookup(l, arena))
                                .reduce(SymbolLookup::or).orElseThrow();
                for (Include f : a.of(Kind.FUNCTION)) {
                    Optional<MemorySegment> symbol = own.find(f.name());
                    assertThat(symbol).as(f.name() + " in " + (a.libraries().isEmpty() ? "libc" : a.libraries())).isPresent();
                    assertThat(bindingAddress(header, f.name()).address()).as(f.name() + " binding address")
                            .isEqualTo(symbol.get().address());
                    checked++;
                    names.add(f.name());
                }
                for (Include v : a.of(Kind.VAR)) {
                    MemorySegment seg = (MemorySegment) BindingFacts.invokeStatic(header, v.name() + "$segment");
                    assertThat(seg.address()).as(v.name()).isEqualTo(own.find(v.name()).orElseThrow().address());
                }
            }
        }
        assertThat(checked).isEqualTo(argFiles.stream().mapToLong(a -> a.of(Kind.FUNCTION).size()).sum());
        assertThat(names).as("libc's functions are among those checked").contains("poll", "strerror", "free");
    }

    @Test
    void aSymbolTheLibraryDoesNotExportIsNotFound() {
        // guards the check above against a lookup that finds everything
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup ctrl = SymbolLookup.libraryLookup(XenLibrary.CTRL.soname(), arena);
            assertThat(ctrl.find("xc_domain_getinfo_single")).as("not in Xen 4.17").isEmpty();
            assertThat(ctrl.find("xc_cpu_policy_get_domain")).as("lives in libxenguest, not libxenctrl").isEmpty();
        }
    }

    private static MemorySegment bindingAddress(Class<?> header, String function) {
        Optional<Class<?>> invoker = BindingFacts.nested(header, function)
                .filter(c -> java.lang.reflect.Modifier.isPublic(c.getModifiers()));
        if (invoker.isPresent()) {
            return (MemorySegment) BindingFacts.invokeStatic(invoker.get(), "address");
        }
        return (MemorySegment) BindingFacts.invokeStatic(header, function + "$address");
    }

}
