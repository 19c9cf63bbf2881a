package org.sonicmigration.xen.lib;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.sonicmigration.spi.HypervisorVersion;
import org.sonicmigration.spi.PlatformState;
import org.sonicmigration.ffi.support.XenLibrary;
import org.sonicmigration.ffi.xc_domaininfo_t;
import org.sonicmigration.ffi.xc_error;
import org.sonicmigration.ffi.xc_shadow_op_stats_t;
import org.sonicmigration.ffi.xen_cpuid_leaf_t;
import org.sonicmigration.ffi.xen_msr_entry_t;
import org.sonicmigration.ffi.xenctrl_h;
import org.sonicmigration.ffi.xenguest_h;

/**
 * An open {@code xc_interface} (libxenctrl, plus the few libxenguest calls that take one): the
 * domain-control calls a migration source needs, each turning libxc's "-1 and errno" into a
 * {@link XenCallException} that names the call and the domain. Thread-safe as libxc is when opened
 * without {@code XC_OPENFLAG_NON_REENTRANT}; closing it frees any hypercall buffer still allocated.
 */
public final class XenCtrl implements AutoCloseable {
    /** Upper bound for one domain's HVM context blob (Xen's is a few KiB per vCPU). */
    static final int MAX_HVM_CONTEXT_BYTES = 16 << 20;
    /** Upper bound for CPUID leaves or MSR entries in a policy (Xen 4.17 reports about 50 and 2). */
    static final int MAX_POLICY_ENTRIES = 1 << 16;
    private static final int LIST_BATCH = 64;
    /** Domain ids at and above DOMID_FIRST_RESERVED are not real domains. */
    private static final int FIRST_RESERVED_DOMID = 0x7FF0;

    private static final NativeCall OPEN = call("xc_interface_open", xenctrl_h.xc_interface_open$address(), xenctrl_h.xc_interface_open$descriptor());
    private static final NativeCall CLOSE = call("xc_interface_close", xenctrl_h.xc_interface_close$address(), xenctrl_h.xc_interface_close$descriptor());
    private static final NativeCall GETINFOLIST = call("xc_domain_getinfolist", xenctrl_h.xc_domain_getinfolist$address(), xenctrl_h.xc_domain_getinfolist$descriptor());
    private static final NativeCall PAUSE = call("xc_domain_pause", xenctrl_h.xc_domain_pause$address(), xenctrl_h.xc_domain_pause$descriptor());
    private static final NativeCall UNPAUSE = call("xc_domain_unpause", xenctrl_h.xc_domain_unpause$address(), xenctrl_h.xc_domain_unpause$descriptor());
    private static final NativeCall SHUTDOWN = call("xc_domain_shutdown", xenctrl_h.xc_domain_shutdown$address(), xenctrl_h.xc_domain_shutdown$descriptor());
    private static final NativeCall DESTROY = call("xc_domain_destroy", xenctrl_h.xc_domain_destroy$address(), xenctrl_h.xc_domain_destroy$descriptor());
    private static final NativeCall NR_GPFNS = call("xc_domain_nr_gpfns", xenctrl_h.xc_domain_nr_gpfns$address(), xenctrl_h.xc_domain_nr_gpfns$descriptor());
    private static final NativeCall MAX_GPFN = call("xc_domain_maximum_gpfn", xenctrl_h.xc_domain_maximum_gpfn$address(), xenctrl_h.xc_domain_maximum_gpfn$descriptor());
    private static final NativeCall PFN_TYPES = call("xc_get_pfn_type_batch", xenctrl_h.xc_get_pfn_type_batch$address(), xenctrl_h.xc_get_pfn_type_batch$descriptor());
    private static final NativeCall VERSION = call("xc_version", xenctrl_h.xc_version$address(), xenctrl_h.xc_version$descriptor());
    private static final NativeCall SHADOW = call("xc_shadow_control", xenctrl_h.xc_shadow_control$address(), xenctrl_h.xc_shadow_control$descriptor());
    private static final NativeCall LOGDIRTY = call("xc_logdirty_control", xenctrl_h.xc_logdirty_control$address(), xenctrl_h.xc_logdirty_control$descriptor());
    private static final NativeCall HVM_GETCONTEXT = call("xc_domain_hvm_getcontext", xenctrl_h.xc_domain_hvm_getcontext$address(), xenctrl_h.xc_domain_hvm_getcontext$descriptor());
    private static final NativeCall HVM_PARAM_GET = call("xc_hvm_param_get", xenctrl_h.xc_hvm_param_get$address(), xenctrl_h.xc_hvm_param_get$descriptor());
    private static final NativeCall TSC_INFO = call("xc_domain_get_tsc_info", xenctrl_h.xc_domain_get_tsc_info$address(), xenctrl_h.xc_domain_get_tsc_info$descriptor());
    private static final NativeCall RESUME = call("xc_domain_resume", xenguest_h.xc_domain_resume$address(), xenguest_h.xc_domain_resume$descriptor());
    private static final NativeCall POLICY_SIZE = call("xc_cpu_policy_get_size", xenguest_h.xc_cpu_policy_get_size$address(), xenguest_h.xc_cpu_policy_get_size$descriptor());
    private static final NativeCall POLICY_INIT = call("xc_cpu_policy_init", xenguest_h.xc_cpu_policy_init$address(), xenguest_h.xc_cpu_policy_init$descriptor());
    private static final NativeCall POLICY_GET = call("xc_cpu_policy_get_domain", xenguest_h.xc_cpu_policy_get_domain$address(), xenguest_h.xc_cpu_policy_get_domain$descriptor());
    private static final NativeCall POLICY_SERIALISE = call("xc_cpu_policy_serialise", xenguest_h.xc_cpu_policy_serialise$address(), xenguest_h.xc_cpu_policy_serialise$descriptor());

    /** What {@code xc_logdirty_control} reported: frames it covered and the hypervisor's counters. */
    public record LogDirtyStats(long pages, int faultCount, int dirtyCount) {}

    /** A domain's CPUID and MSR policy serialised as the stream's X86_CPUID_POLICY / X86_MSR_POLICY bodies. */
    public record CpuPolicy(byte[] cpuidLeaves, byte[] msrEntries) {}

    private final MemorySegment xch;
    private final Set<HypercallBuffer> buffers = new LinkedHashSet<>();
    private boolean closed;

    private XenCtrl(MemorySegment xch) {
        this.xch = xch;
    }

    private static NativeCall call(String name, MemorySegment address, java.lang.foreign.FunctionDescriptor d) {
        return NativeCall.of(name, address, d);
    }

    /**
     * Opens libxenctrl, logging through {@code logger}.
     *
     * @throws XenUnavailableException if this is not a Xen dom0 (no {@code /dev/xen/privcmd}), the caller
     *                                 may not use it, or the libraries are missing
     */
    public static XenCtrl open(ToolLogger logger) {
        Libraries.require(XenLibrary.TOOLLOG, XenLibrary.CTRL, XenLibrary.GUEST);
        NativeCall.Outcome o = logger.demoted(() -> OPEN.invoke(logger.segment(), logger.segment(), 0));
        if (o.isNull()) {
            throw Unavailability.of(OPEN.name(), o.errno(), "/dev/xen/privcmd");
        }
        return new XenCtrl(o.asPointer());
    }

    MemorySegment handle() {
        ensureOpen();
        return xch;
    }

    /** Every domain, in domain-id order. */
    public List<DomainStatus> domains() {
        List<DomainStatus> all = new ArrayList<>();
        int first = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = xc_domaininfo_t.allocateArray(LIST_BATCH, arena);
            while (first < FIRST_RESERVED_DOMID) {
                int n = GETINFOLIST.intOrThrow("from domain " + first, handle(), first, LIST_BATCH, buf);
                for (int i = 0; i < n; i++) {
                    all.add(DomainStatus.read(xc_domaininfo_t.asSlice(buf, i)));
                }
                if (n < LIST_BATCH) {
                    break;
                }
                first = all.getLast().domid() + 1;
            }
        }
        return all;
    }

    /** One domain, or empty if it does not exist (getinfolist returns the next domain instead). */
    public Optional<DomainStatus> domain(int domid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = xc_domaininfo_t.allocate(arena);
            int n = GETINFOLIST.intOrThrow("domain " + domid, handle(), domid, 1, buf);
            if (n == 1) {
                DomainStatus s = DomainStatus.read(buf);
                if (s.domid() == domid) {
                    return Optional.of(s);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * The domain's {@code XEN_X86_EMU_*} flags (which devices Xen emulates for it): a PVH guest has the
     * local APIC only, an HVM guest the full set, with a device model (qemu) for the rest.
     *
     * @throws XenCallException if the domain does not exist
     */
    public int emulationFlags(int domid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = xc_domaininfo_t.allocate(arena);
            int n = GETINFOLIST.intOrThrow("domain " + domid, handle(), domid, 1, buf);
            if (n != 1 || Short.toUnsignedInt(org.sonicmigration.ffi.xen_domctl_getdomaininfo.domain(buf)) != domid) {
                throw new XenCallException(GETINFOLIST.name(), "domain " + domid, n, 0, "no error", "no such domain");
            }
            return org.sonicmigration.ffi.xen_arch_domainconfig.emulation_flags(
                    org.sonicmigration.ffi.xen_domctl_getdomaininfo.arch_config(buf));
        }
    }

    /** The running hypervisor's version ({@code XENVER_version}: major in the high 16 bits, minor in the low). */
    public HypervisorVersion version() {
        int v = VERSION.intOrThrow("XENVER_version", handle(), xenctrl_h.XENVER_version(), MemorySegment.NULL);
        return new HypervisorVersion(v >>> 16, v & 0xffff);
    }

    public void pause(int domid) {
        PAUSE.intOrThrow("domain " + domid, handle(), domid);
    }

    public void unpause(int domid) {
        UNPAUSE.intOrThrow("domain " + domid, handle(), domid);
    }

    /** Asks Xen to shut the domain down with a {@code SHUTDOWN_*} reason (no guest cooperation). */
    public void shutdown(int domid, int reason) {
        SHUTDOWN.intOrThrow("domain " + domid + ", reason " + reason, handle(), domid, reason);
    }

    public void destroy(int domid) {
        DESTROY.intOrThrow("domain " + domid, handle(), domid);
    }

    /**
     * Resumes a domain that shut down with reason suspend ({@code xc_domain_resume}).
     *
     * @param cooperative the guest sees its suspend call return "cancelled" and carries on (the fast path
     *                    xl uses after a failed migration); otherwise it is resumed as if in a new domain
     */
    public void resume(int domid, boolean cooperative) {
        RESUME.intOrThrow("domain " + domid + (cooperative ? ", cooperative" : ""), handle(), domid, cooperative ? 1 : 0);
    }

    /** One past the highest guest frame number (what Xen's HVM saver uses as the p2m size). */
    public long nrGpfns(int domid) {
        return frameNumber(NR_GPFNS, domid);
    }

    /** The highest guest frame number. */
    public long maximumGpfn(int domid) {
        return frameNumber(MAX_GPFN, domid);
    }

    private long frameNumber(NativeCall fn, int domid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(xenctrl_h.xen_pfn_t);
            fn.intOrThrow("domain " + domid, handle(), domid, out);
            return out.get(xenctrl_h.xen_pfn_t, 0);
        }
    }

    /** Frames per {@code XEN_DOMCTL_getpageframeinfo3}: Xen refuses more. */
    static final int PFN_TYPE_BATCH = 1024;

    /**
     * The page type of each frame ({@code xc_get_pfn_type_batch}), as Xen's saver asks before it maps a
     * batch: {@code types[i]} gets {@code frames[i]}'s {@code XEN_DOMCTL_PFINFO_*} bits
     * ({@code XEN_DOMCTL_PFINFO_LTAB_MASK}), e.g. {@code XEN_DOMCTL_PFINFO_XTAB} for a hole or a page of
     * Xen's own that the guest has in its physmap (shared info, grant table frames).
     */
    public void pfnTypes(int domid, long[] frames, int count, long[] types) {
        if (count < 0 || count > frames.length || count > types.length) {
            throw new IllegalArgumentException("frame count " + count + " outside 0.." + Math.min(frames.length, types.length));
        }
        long mask = Integer.toUnsignedLong(xenctrl_h.XEN_DOMCTL_PFINFO_LTAB_MASK());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment arr = arena.allocate(xenctrl_h.xen_pfn_t, Math.max(1, Math.min(count, PFN_TYPE_BATCH)));
            for (int start = 0; start < count; start += PFN_TYPE_BATCH) {
                int n = Math.min(PFN_TYPE_BATCH, count - start);
                MemorySegment.copy(frames, start, arr, xenctrl_h.xen_pfn_t, 0, n);
                PFN_TYPES.intOrThrow("domain " + domid + ", " + n + " frames from " + frames[start], handle(), domid, n, arr);
                for (int i = 0; i < n; i++) {
                    types[start + i] = arr.getAtIndex(xenctrl_h.xen_pfn_t, i) & mask;
                }
            }
        }
    }

    /** A shadow-control operation without a bitmap ({@code XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY}, {@code _OFF}, ...). */
    public void shadowControl(int domid, int op) {
        SHADOW.intOrThrow("domain " + domid + ", op " + op, handle(), domid, op, MemorySegment.NULL, 0);
    }

    /**
     * Reads the dirty bitmap into {@code bitmap} ({@code XEN_DOMCTL_SHADOW_OP_CLEAN} also resets it,
     * {@code _PEEK} does not). {@code mode} is 0, or {@code XEN_DOMCTL_SHADOW_LOGDIRTY_FINAL} for the
     * clean after the guest is suspended, which lets Xen drop what it kept only for later rounds.
     * Xen answers with the number of frames it covered; anything but {@code pages} means the bitmap
     * does not describe the whole domain, which a sender must not trust.
     *
     * @param pages how many frames' bits to fetch; the buffer must hold them
     */
    public LogDirtyStats logDirty(int domid, int op, HypercallBuffer bitmap, long pages, int mode) {
        if (pages < 0 || (pages + 7) / 8 > bitmap.data().byteSize()) {
            throw new IllegalArgumentException("bitmap of " + bitmap.data().byteSize() + " bytes cannot hold " + pages + " frames");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stats = xc_shadow_op_stats_t.allocate(arena);
            NativeCall.Outcome o = LOGDIRTY.invoke(handle(), domid, op, bitmap.struct(), pages, mode, stats);
            String what = "domain " + domid + ", op " + op + ", mode " + mode + ", " + pages + " frames";
            if (o.asLong() < 0) {
                throw new XenCallException(LOGDIRTY.name(), what, o.asLong(), o.errno());
            }
            if (o.asLong() != pages) {
                throw new XenCallException(LOGDIRTY.name(), what, o.asLong(), 0, "no error",
                        "Xen covered " + o.asLong() + " frames of the " + pages + " asked for");
            }
            return new LogDirtyStats(o.asLong(), xc_shadow_op_stats_t.fault_count(stats), xc_shadow_op_stats_t.dirty_count(stats));
        }
    }

    /** A page-aligned buffer for {@link #logDirty}; freed by its own close or, at the latest, by this close. */
    public HypercallBuffer allocateBuffer(int pages) {
        HypercallBuffer b = HypercallBuffer.allocate(this, pages);
        synchronized (buffers) {
            buffers.add(b);
        }
        return b;
    }

    void forget(HypercallBuffer b) {
        synchronized (buffers) {
            buffers.remove(b);
        }
    }

    /** The HVM_CONTEXT blob: asks for its size first (NULL buffer), then fetches it. */
    public byte[] hvmContext(int domid) {
        int size = HVM_GETCONTEXT.intOrThrow("domain " + domid + ", size query", handle(), domid, MemorySegment.NULL, 0);
        if (size <= 0 || size > MAX_HVM_CONTEXT_BYTES) {
            throw new XenCallException(HVM_GETCONTEXT.name(), "domain " + domid, size, 0, "no error",
                    "context size " + size + " outside 1.." + MAX_HVM_CONTEXT_BYTES + " bytes");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(size);
            int got = HVM_GETCONTEXT.intOrThrow("domain " + domid, handle(), domid, buf, size);
            return buf.asSlice(0, Math.min(got, size)).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    public long hvmParam(int domid, int index) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG);
            HVM_PARAM_GET.intOrThrow("domain " + domid + ", param " + index, handle(), domid, index, out);
            return out.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    public PlatformState.TscInfo tscInfo(int domid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mode = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment nsec = arena.allocate(ValueLayout.JAVA_LONG);
            MemorySegment khz = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment incarnation = arena.allocate(ValueLayout.JAVA_INT);
            TSC_INFO.intOrThrow("domain " + domid, handle(), domid, mode, nsec, khz, incarnation);
            return new PlatformState.TscInfo(mode.get(ValueLayout.JAVA_INT, 0), khz.get(ValueLayout.JAVA_INT, 0),
                    nsec.get(ValueLayout.JAVA_LONG, 0), incarnation.get(ValueLayout.JAVA_INT, 0));
        }
    }

    /** The domain's CPUID/MSR policy via libxenguest, serialised as Xen's saver writes it. */
    public CpuPolicy cpuPolicy(int domid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment nrLeaves = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment nrMsrs = arena.allocate(ValueLayout.JAVA_INT);
            POLICY_SIZE.intOrThrow("", handle(), nrLeaves, nrMsrs);
            int leaves = nrLeaves.get(ValueLayout.JAVA_INT, 0);
            int msrs = nrMsrs.get(ValueLayout.JAVA_INT, 0);
            if (leaves < 0 || leaves > MAX_POLICY_ENTRIES || msrs < 0 || msrs > MAX_POLICY_ENTRIES) {
                throw new XenCallException(POLICY_SIZE.name(), "", 0, 0, "no error",
                        "policy size " + leaves + " leaves / " + msrs + " MSRs outside 0.." + MAX_POLICY_ENTRIES);
            }
            MemorySegment leafBuf = xen_cpuid_leaf_t.allocateArray(Math.max(leaves, 1), arena);
            MemorySegment msrBuf = xen_msr_entry_t.allocateArray(Math.max(msrs, 1), arena);
            MemorySegment policy = POLICY_INIT.pointerOrThrow("");
            try {
                POLICY_GET.intOrThrow("domain " + domid, handle(), domid, policy);
                POLICY_SERIALISE.intOrThrow("domain " + domid, handle(), policy, leafBuf, nrLeaves, msrBuf, nrMsrs);
            } finally {
                xenguest_h.xc_cpu_policy_destroy(policy);
            }
            int gotLeaves = Math.min(nrLeaves.get(ValueLayout.JAVA_INT, 0), leaves);
            int gotMsrs = Math.min(nrMsrs.get(ValueLayout.JAVA_INT, 0), msrs);
            return new CpuPolicy(
                    leafBuf.asSlice(0, gotLeaves * xen_cpuid_leaf_t.sizeof()).toArray(ValueLayout.JAVA_BYTE),
                    msrBuf.asSlice(0, gotMsrs * xen_msr_entry_t.sizeof()).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    /** libxc's last error text for this thread ({@code xc_get_last_error}), if any. */
    public Optional<String> lastError() {
        MemorySegment err = xenctrl_h.xc_get_last_error(handle());
        if (err.equals(MemorySegment.NULL) || xc_error.code(err) == xenctrl_h.XC_ERROR_NONE()) {
            return Optional.empty();
        }
        String desc = CStrings.read(xenctrl_h.xc_error_code_to_desc(xc_error.code(err)), 128).orElse("error");
        return Optional.of(desc + ": " + CStrings.read(xc_error.message(err), xenctrl_h.XC_MAX_ERROR_MSG_LEN()).orElse(""));
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("xc_interface already closed");
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        List<HypercallBuffer> left;
        synchronized (buffers) {
            left = new ArrayList<>(buffers);
        }
        left.forEach(HypercallBuffer::close);
        closed = true;
        CLOSE.invoke(xch);
    }

}
