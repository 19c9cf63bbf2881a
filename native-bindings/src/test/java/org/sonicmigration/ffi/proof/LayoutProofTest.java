package org.sonicmigration.ffi.proof;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sonicmigration.ffi.proof.BindingFact.ConstantFact;
import org.sonicmigration.ffi.proof.BindingFact.FieldFact;
import org.sonicmigration.ffi.proof.BindingFact.FunctionFact;
import org.sonicmigration.ffi.proof.BindingFact.StructFact;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The layout proof: a C file of static assertions generated from the Java bindings themselves must
 * compile against the installed Xen 4.17 headers, and the same file with one Java claim made wrong
 * must not, so the proof is shown to bite.
 */
class LayoutProofTest {

    private static List<ArgFile> argFiles;
    private static List<BindingFact> facts;
    private static List<String> includes;

    @TempDir
    Path work;

    @BeforeAll
    static void collect() {
        Gcc.requireToolchain();
        argFiles = ArgFile.all(ArgFile.directory());
        facts = BindingFacts.collect(argFiles);
        includes = argFiles.stream().map(ArgFile::includeDirective).distinct().toList();
    }

    @Test
    void everyLayoutConstantAndSignatureHoldsInC() {
        String program = StaticAssertProgram.write(includes, facts);
        Gcc.Verdict verdict = Gcc.syntaxCheck(program, work);
        assertThat(verdict.diagnostics()).as("gcc diagnostics").isEmpty();
        assertThat(verdict.accepted()).isTrue();
        // the program covers what the task names, not a subset that happens to pass
        assertThat(program)
                .contains("offsetof(struct xen_domctl_getdomaininfo, flags) == 4")
                .contains("sizeof(struct xen_domctl_getdomaininfo) == 112")
                .contains("sizeof(struct xc_hypercall_buffer) == 40")
                .contains("sizeof(libxl_domain_config) == 1288")
                .contains("__typeof__(&xc_logdirty_control)")
                .contains("((struct xentoollog_logger *)0)->vmessage")
                .contains("(int32_t)(XEN_DOMCTL_SHADOW_OP_CLEAN) == (int32_t)(11LL)")
                .contains("__typeof__(&poll), int (*)(struct pollfd *fds, nfds_t nfds, int timeout)")
                .contains("offsetof(struct pollfd, revents) == 6")
                .contains("sizeof(struct pollfd) == 8")
                .contains("sizeof(SM_ADJUSTED(nfds_t)) == 8")
                .contains("(int32_t)(POLLIN) == (int32_t)(1LL)")
                .contains("(int32_t)(POLLNVAL) == (int32_t)(32LL)");
        long asserts = program.lines().filter(l -> l.startsWith("_Static_assert")).count();
        assertThat(asserts).isGreaterThan(500);
    }

    @Test
    void aWrongFieldOffsetIsRejected() {
        List<BindingFact> wrong = replace(facts, "xen_domctl_getdomaininfo", f -> {
            StructFact s = (StructFact) f;
            int i = indexOf(s, "tot_pages");
            FieldFact field = s.fields().get(i);
            return s.withField(i, new FieldFact(field.name(), field.offset() + 8, field.size()));
        });
        Gcc.Verdict verdict = Gcc.syntaxCheck(StaticAssertProgram.write(includes, wrong), work);
        assertThat(verdict.accepted()).isFalse();
        assertThat(verdict.diagnostics()).contains("xen_domctl_getdomaininfo.tot_pages: offset is 16")
                .doesNotContain("xen_domctl_getdomaininfo.flags: offset");
    }

    @Test
    void aWrongStructSizeIsRejected() {
        List<BindingFact> wrong = replace(facts, "xen_domctl_getdomaininfo", f -> {
            StructFact s = (StructFact) f;
            return new StructFact(s.label(), s.cType(), s.size() - 8, s.alignment(), s.fields());
        });
        Gcc.Verdict verdict = Gcc.syntaxCheck(StaticAssertProgram.write(includes, wrong), work);
        assertThat(verdict.accepted()).isFalse();
        assertThat(verdict.diagnostics()).contains("xen_domctl_getdomaininfo: sizeof is 104");
    }

    @Test
    void aWrongConstantIsRejected() {
        List<BindingFact> wrong = replace(facts, "XEN_DOMCTL_SHADOW_OP_CLEAN",
                f -> new ConstantFact(f.label(), int.class, 12));
        Gcc.Verdict verdict = Gcc.syntaxCheck(StaticAssertProgram.write(includes, wrong), work);
        assertThat(verdict.accepted()).isFalse();
        assertThat(verdict.diagnostics()).contains("XEN_DOMCTL_SHADOW_OP_CLEAN: value is 12");
    }

    @Test
    void aConstantOfTheWrongWidthIsRejected() {
        // XS_OPEN_READONLY is (1UL<<0): binding it as an int would be a different Java API than jextract's
        List<BindingFact> wrong = replace(facts, "XS_OPEN_READONLY", f -> new ConstantFact(f.label(), int.class, 1));
        Gcc.Verdict verdict = Gcc.syntaxCheck(StaticAssertProgram.write(includes, wrong), work);
        assertThat(verdict.accepted()).isFalse();
        assertThat(verdict.diagnostics()).contains("XS_OPEN_READONLY: a int (4 bytes)");
    }

    @Test
    void aDescriptorWithTheWrongParameterWidthIsRejected() {
        // xc_logdirty_control's 5th parameter is 'unsigned long pages': a C_INT there would truncate it
        List<BindingFact> wrong = replace(facts, "xc_logdirty_control", f -> {
            FunctionFact fn = (FunctionFact) f;
            List<MemoryLayout> args = new ArrayList<>(fn.descriptor().argumentLayouts());
            args.set(4, ValueLayout.JAVA_INT);
            FunctionDescriptor d = FunctionDescriptor.of(fn.descriptor().returnLayout().orElseThrow(), args.toArray(MemoryLayout[]::new));
            return new FunctionFact(fn.label(), fn.cExpression(), fn.signature(), d);
        });
        Gcc.Verdict verdict = Gcc.syntaxCheck(StaticAssertProgram.write(includes, wrong), work);
        assertThat(verdict.accepted()).isFalse();
        assertThat(verdict.diagnostics()).contains("xc_logdirty_control parameter 5 (pages)");
    }

    @Test
    void aDescriptorPassingAPointerAsAnIntegerIsRejected() {
        // same width, wrong kind: 'xen_pfn_t *gpfns' as a C_LONG
        List<BindingFact> wrong = replace(facts, "xc_domain_nr_gpfns", f -> {
            FunctionFact fn = (FunctionFact) f;
            List<MemoryLayout> args = new ArrayList<>(fn.descriptor().argumentLayouts());
            args.set(2, ValueLayout.JAVA_LONG);
            FunctionDescriptor d = FunctionDescriptor.of(fn.descriptor().returnLayout().orElseThrow(), args.toArray(MemoryLayout[]::new));
            return new FunctionFact(fn.label(), fn.cExpression(), fn.signature(), d);
        });
        Gcc.Verdict verdict = Gcc.syntaxCheck(StaticAssertProgram.write(includes, wrong), work);
        assertThat(verdict.accepted()).isFalse();
        assertThat(verdict.diagnostics()).contains("xc_domain_nr_gpfns parameter 3 (gpfns)");
    }

    @Test
    void aSignatureTableEntryThatDiffersFromTheHeaderIsRejected() {
        // the table says int domid where the header has uint32_t: same size, different C type
        List<BindingFact> wrong = replace(facts, "xc_domain_pause", f -> {
            FunctionFact fn = (FunctionFact) f;
            return new FunctionFact(fn.label(), fn.cExpression(),
                    CSignature.parse("int (xc_interface *xch, int domid)"), fn.descriptor());
        });
        Gcc.Verdict verdict = Gcc.syntaxCheck(StaticAssertProgram.write(includes, wrong), work);
        assertThat(verdict.accepted()).isFalse();
        assertThat(verdict.diagnostics()).contains("xc_domain_pause: C type is int (xc_interface *xch, int domid)");
    }

    @Test
    void aFunctionPointerFieldWithTheWrongDescriptorIsRejected() {
        List<BindingFact> wrong = replace(facts, "xentoollog_logger.progress", f -> {
            FunctionFact fn = (FunctionFact) f;
            List<MemoryLayout> args = new ArrayList<>(fn.descriptor().argumentLayouts());
            args.remove(3);   // drop 'int percent'
            return new FunctionFact(fn.label(), fn.cExpression(), fn.signature(),
                    FunctionDescriptor.ofVoid(args.toArray(MemoryLayout[]::new)));
        });
        Gcc.Verdict verdict = Gcc.syntaxCheck(StaticAssertProgram.write(includes, wrong), work);
        assertThat(verdict.accepted()).isFalse();
        assertThat(verdict.diagnostics()).contains("xentoollog_logger.progress: descriptor has 5 parameters, C has 6");
    }

    @Test
    void aPollfdFieldOfTheWrongWidthIsRejected() {
        // events is a short: reading it as an int would also take revents
        List<BindingFact> wrong = replace(facts, "pollfd", f -> {
            StructFact s = (StructFact) f;
            int i = indexOf(s, "events");
            FieldFact field = s.fields().get(i);
            return s.withField(i, new FieldFact(field.name(), field.offset(), 4));
        });
        Gcc.Verdict verdict = Gcc.syntaxCheck(StaticAssertProgram.write(includes, wrong), work);
        assertThat(verdict.accepted()).isFalse();
        assertThat(verdict.diagnostics()).contains("pollfd.events: size is 4");
    }

    @Test
    void aPollDescriptorWithAnIntNfdsIsRejected() {
        // nfds_t is unsigned long: a C_INT there would leave the upper half of the register undefined
        List<BindingFact> wrong = replace(facts, "poll", f -> {
            FunctionFact fn = (FunctionFact) f;
            List<MemoryLayout> args = new ArrayList<>(fn.descriptor().argumentLayouts());
            args.set(1, ValueLayout.JAVA_INT);
            FunctionDescriptor d = FunctionDescriptor.of(fn.descriptor().returnLayout().orElseThrow(), args.toArray(MemoryLayout[]::new));
            return new FunctionFact(fn.label(), fn.cExpression(), fn.signature(), d);
        });
        Gcc.Verdict verdict = Gcc.syntaxCheck(StaticAssertProgram.write(includes, wrong), work);
        assertThat(verdict.accepted()).isFalse();
        assertThat(verdict.diagnostics()).contains("poll parameter 2 (nfds)");
    }

    private static int indexOf(StructFact s, String field) {
        for (int i = 0; i < s.fields().size(); i++) {
            if (s.fields().get(i).name().equals(field)) {
                return i;
            }
        }
        throw new AssertionError(s.label() + " has no field " + field);
    }

    /** The facts with exactly one (found by label) replaced. */
    static List<BindingFact> replace(List<BindingFact> all, String label, UnaryOperator<BindingFact> change) {
        List<BindingFact> copy = new ArrayList<>();
        int hits = 0;
        for (BindingFact f : all) {
            boolean hit = f.label().equals(label) && !(f instanceof BindingFact.StructTypedefFact);
            hits += hit ? 1 : 0;
            copy.add(hit ? change.apply(f) : f);
        }
        assertThat(hits).as("facts labelled " + label).isEqualTo(1);
        return copy;
    }
}
