package org.sonicmigration.stream;

import java.util.Map;

/**
 * Every record type number of the libxc (inner) and libxl (outer) streams, with their names, in one
 * place. Types with bit 31 set are optional in the libxc stream: a restorer that does not know one
 * skips it; SonicMigration's own records live there.
 */
public final class RecordTypes {

    private RecordTypes() {}

    /** Bit marking a libxc record a restorer may skip. */
    public static final int OPTIONAL_BIT = 0x8000_0000;

    // libxc stream
    public static final int END = 0x00;
    public static final int PAGE_DATA = 0x01;
    public static final int X86_PV_INFO = 0x02;
    public static final int X86_PV_P2M_FRAMES = 0x03;
    public static final int X86_PV_VCPU_BASIC = 0x04;
    public static final int X86_PV_VCPU_EXTENDED = 0x05;
    public static final int X86_PV_VCPU_XSAVE = 0x06;
    public static final int SHARED_INFO = 0x07;
    public static final int X86_TSC_INFO = 0x08;
    public static final int HVM_CONTEXT = 0x09;
    public static final int HVM_PARAMS = 0x0A;
    public static final int TOOLSTACK = 0x0B;
    public static final int X86_PV_VCPU_MSRS = 0x0C;
    public static final int VERIFY = 0x0D;
    public static final int CHECKPOINT = 0x0E;
    public static final int CHECKPOINT_DIRTY_PFN_LIST = 0x0F;
    public static final int STATIC_DATA_END = 0x10;
    public static final int X86_CPUID_POLICY = 0x11;
    public static final int X86_MSR_POLICY = 0x12;

    // libxl stream
    public static final int LIBXL_END = 0x00;
    public static final int LIBXL_LIBXC_CONTEXT = 0x01;
    public static final int LIBXL_EMULATOR_XENSTORE_DATA = 0x02;
    public static final int LIBXL_EMULATOR_CONTEXT = 0x03;
    public static final int LIBXL_CHECKPOINT_END = 0x04;
    public static final int LIBXL_CHECKPOINT_STATE = 0x05;

    private static final Map<Integer, String> LIBXC_NAMES = Map.ofEntries(
            Map.entry(END, "END"), Map.entry(PAGE_DATA, "PAGE_DATA"),
            Map.entry(X86_PV_INFO, "X86_PV_INFO"), Map.entry(X86_PV_P2M_FRAMES, "X86_PV_P2M_FRAMES"),
            Map.entry(X86_PV_VCPU_BASIC, "X86_PV_VCPU_BASIC"), Map.entry(X86_PV_VCPU_EXTENDED, "X86_PV_VCPU_EXTENDED"),
            Map.entry(X86_PV_VCPU_XSAVE, "X86_PV_VCPU_XSAVE"), Map.entry(SHARED_INFO, "SHARED_INFO"),
            Map.entry(X86_TSC_INFO, "X86_TSC_INFO"), Map.entry(HVM_CONTEXT, "HVM_CONTEXT"),
            Map.entry(HVM_PARAMS, "HVM_PARAMS"), Map.entry(TOOLSTACK, "TOOLSTACK"),
            Map.entry(X86_PV_VCPU_MSRS, "X86_PV_VCPU_MSRS"), Map.entry(VERIFY, "VERIFY"),
            Map.entry(CHECKPOINT, "CHECKPOINT"), Map.entry(CHECKPOINT_DIRTY_PFN_LIST, "CHECKPOINT_DIRTY_PFN_LIST"),
            Map.entry(STATIC_DATA_END, "STATIC_DATA_END"), Map.entry(X86_CPUID_POLICY, "X86_CPUID_POLICY"),
            Map.entry(X86_MSR_POLICY, "X86_MSR_POLICY"));

    private static final Map<Integer, String> LIBXL_NAMES = Map.of(
            LIBXL_END, "END", LIBXL_LIBXC_CONTEXT, "LIBXC_CONTEXT",
            LIBXL_EMULATOR_XENSTORE_DATA, "EMULATOR_XENSTORE_DATA", LIBXL_EMULATOR_CONTEXT, "EMULATOR_CONTEXT",
            LIBXL_CHECKPOINT_END, "CHECKPOINT_END", LIBXL_CHECKPOINT_STATE, "CHECKPOINT_STATE");

    /** Whether a libxc record type is optional (bit 31 set). */
    public static boolean isOptional(int type) {
        return (type & OPTIONAL_BIT) != 0;
    }

    /** Name of a libxc record type, e.g. "PAGE_DATA", "OPTIONAL_0x80000001" or "UNKNOWN_0x13". */
    public static String libxcName(int type) {
        String n = LIBXC_NAMES.get(type);
        if (n != null) {
            return n;
        }
        return (isOptional(type) ? "OPTIONAL_0x" : "UNKNOWN_0x") + Integer.toHexString(type);
    }

    /** Name of a libxl record type, e.g. "LIBXC_CONTEXT" or "UNKNOWN_0x9". */
    public static String libxlName(int type) {
        String n = LIBXL_NAMES.get(type);
        return n != null ? n : "UNKNOWN_0x" + Integer.toHexString(type);
    }

    /** Name of a record type of the given layer. */
    public static String name(RecordLayer layer, int type) {
        return layer == RecordLayer.LIBXC ? libxcName(type) : libxlName(type);
    }
}
