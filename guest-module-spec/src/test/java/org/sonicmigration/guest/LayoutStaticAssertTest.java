package org.sonicmigration.guest;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Java layout and constants against {@code sonic_hint.h}: a C file of {@code _Static_assert}s is
 * generated from {@link HintAreaLayout} and the enums, and gcc must accept it. A deliberately wrong Java
 * layout must make gcc fail, which shows the check can fail.
 */
class LayoutStaticAssertTest {

    @Test
    void everyJavaFieldOffsetSizeAndConstantMatchesTheCHeader() throws Exception {
        String source = generate(HintAreaLayout.HEADER);
        // every named member of every struct is checked
        assertThat(source).contains("offsetof(struct sonic_hint_header, final_set.count)", "offsetof(struct sonic_extent, len)");
        Gcc.Result r = Gcc.syntaxCheck("layout_check.c", source);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
    }

    @Test
    void aJavaLayoutWithAWrongOffsetFailsTheCheck() throws Exception {
        List<MemoryLayout> members = new ArrayList<>(HintAreaLayout.HEADER.memberLayouts());
        int gen = indexOf(members, "gen");
        Collections.swap(members, gen, gen + 1); // gen and live_flags trade places: both offsets are wrong
        StructLayout wrong = MemoryLayout.structLayout(members.toArray(MemoryLayout[]::new)).withName("sonic_hint_header");
        Gcc.Result r = Gcc.syntaxCheck("layout_check_wrong.c", generate(wrong));
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.stderr()).contains("sonic_hint_header.gen");
    }

    private static int indexOf(List<MemoryLayout> members, String name) {
        for (int i = 0; i < members.size(); i++) {
            if (members.get(i).name().orElse("").equals(name)) {
                return i;
            }
        }
        throw new AssertionError("no member " + name);
    }

    /** The generated translation unit: one assertion per fact. */
    static String generate(StructLayout header) {
        StringBuilder c = new StringBuilder("#include \"sonic_hint.h\"\n\n");
        struct(c, header);
        struct(c, HintAreaLayout.SET_DESCRIPTOR);
        struct(c, HintAreaLayout.EXTENT);
        constant(c, "SONIC_HINT_MAGIC", HintAreaLayout.MAGIC);
        constant(c, "SONIC_ABI_MAJOR", HintAreaLayout.ABI_MAJOR);
        constant(c, "SONIC_ABI_MINOR", HintAreaLayout.ABI_MINOR);
        constant(c, "SONIC_HEADER_SIZE", HintAreaLayout.HEADER_SIZE);
        constant(c, "SONIC_PAGE_SIZE", HintAreaLayout.PAGE_SIZE);
        constant(c, "SONIC_MAX_AREA_PAGES", HintAreaLayout.MAX_AREA_PAGES);
        constant(c, "SONIC_MAX_DIR_PAGES", HintAreaLayout.MAX_DIR_PAGES);
        constant(c, "SONIC_REFS_PER_DIR_PAGE", HintAreaLayout.REFS_PER_DIR_PAGE);
        constant(c, "SONIC_MAX_PFN_COUNT", HintAreaLayout.MAX_PFN_COUNT);
        for (SetEncoding e : SetEncoding.values()) {
            constant(c, "SONIC_ENC_" + e.name(), e.code());
        }
        for (HintFlag f : HintFlag.values()) {
            constant(c, "SONIC_FLAG_" + f.name(), f.mask());
        }
        for (HandshakeState s : HandshakeState.values()) {
            constant(c, "SONIC_HS_" + s.name(), s.code());
        }
        for (HandshakeFailure f : HandshakeFailure.values()) {
            if (f != HandshakeFailure.UNKNOWN) {
                constant(c, "SONIC_FAIL_" + f.name(), f.code());
            }
        }
        HandshakeWord w = new HandshakeWord(0xDEADBEEFL, HandshakeState.FAILED, HandshakeFailure.NO_MEMORY);
        constant(c, "SONIC_HS_WORD(0xDEADBEEFu, SONIC_HS_FAILED, SONIC_FAIL_NO_MEMORY)", w.encode());
        constant(c, "SONIC_HS_SEQ(" + hex(w.encode()) + ")", w.seq());
        constant(c, "SONIC_HS_STATE(" + hex(w.encode()) + ")", w.stateCode());
        constant(c, "SONIC_HS_REASON(" + hex(w.encode()) + ")", w.reason().code());
        return c.toString();
    }

    private static void struct(StringBuilder c, GroupLayout layout) {
        String type = "struct " + layout.name().orElseThrow();
        c.append("_Static_assert(sizeof(").append(type).append(") == ").append(layout.byteSize())
                .append(", \"").append(layout.name().orElseThrow()).append(" size\");\n");
        members(c, type, layout.name().orElseThrow(), "", layout, 0);
    }

    private static void members(StringBuilder c, String type, String structName, String prefix, GroupLayout layout, long base) {
        long offset = 0;
        for (MemoryLayout m : layout.memberLayouts()) {
            if (m.name().isPresent()) {
                String path = prefix + m.name().get();
                c.append("_Static_assert(offsetof(").append(type).append(", ").append(path).append(") == ").append(base + offset)
                        .append(", \"").append(structName).append('.').append(path).append(" offset\");\n");
                c.append("_Static_assert(sizeof(((").append(type).append(" *)0)->").append(path).append(") == ").append(m.byteSize())
                        .append(", \"").append(structName).append('.').append(path).append(" size\");\n");
                if (m instanceof GroupLayout g) {
                    members(c, type, structName, path + ".", g, base + offset);
                }
            }
            offset += m.byteSize();
        }
    }

    private static void constant(StringBuilder c, String expr, long value) {
        c.append("_Static_assert((unsigned long long)(").append(expr).append(") == ").append(hex(value))
                .append(", \"").append(expr.replace("\"", "")).append("\");\n");
    }

    private static String hex(long v) {
        return "0x" + Long.toUnsignedString(v, 16) + "ULL";
    }
}
