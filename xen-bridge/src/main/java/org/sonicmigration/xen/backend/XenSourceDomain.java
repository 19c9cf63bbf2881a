package org.sonicmigration.xen.backend;

import org.sonicmigration.xen.lib.DomainStatus;
import org.sonicmigration.xen.lib.LibXl;
import org.sonicmigration.xen.lib.XenCallException;
import org.sonicmigration.xen.lib.XenCtrl;
import org.sonicmigration.xen.lib.XenStore;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sonicmigration.spi.BackendException;
import org.sonicmigration.spi.DirtyLog;
import org.sonicmigration.spi.DomainInfo;
import org.sonicmigration.spi.HintChannel;
import org.sonicmigration.spi.HintUnavailableException;
import org.sonicmigration.spi.PlatformState;
import org.sonicmigration.spi.RunState;
import org.sonicmigration.spi.SourceDomain;
import org.sonicmigration.ffi.xenctrl_h;

/**
 * A PVH/HVM domain being migrated away, operated the way Xen's saver and xl do: pause/unpause and resume
 * through libxenctrl, suspend as libxl chooses ({@link SuspendPath}: xenstore's {@code control/shutdown}, or
 * Xen's own suspend for an HVM guest without PV drivers), log-dirty through shadow
 * control, frames through foreign mappings (gfn = pfn for these guests), the end-of-stream state
 * from the HVM context, HVM params, TSC info and CPU policy; and through libxl its stored configuration
 * (for the xl header), the rename to {@code NAME--migratedaway} at the hand-over and the final destroy;
 * the guest's soft-page hint channel through xenstore, libxengnttab and libxenevtchn, closed before the
 * domain is destroyed and when this handle is closed.
 */
final class XenSourceDomain implements SourceDomain {
    private static final Logger LOG = LoggerFactory.getLogger(XenSourceDomain.class);

    /** Largest frame space accepted: 2^32 frames (16 TiB), a 512 MiB dirty bitmap. */
    static final long MAX_FRAMES = 1L << 32;
    /** Frames per page-type query, as for reads. */
    static final int RAM_CHECK_BATCH = 1024;

    /** The HVM params Xen 4.17's saver records, in its order; only non-zero ones go into the stream. */
    static final int[] SAVED_HVM_PARAMS = {
            xenctrl_h.HVM_PARAM_STORE_PFN(), xenctrl_h.HVM_PARAM_IOREQ_PFN(), xenctrl_h.HVM_PARAM_BUFIOREQ_PFN(),
            xenctrl_h.HVM_PARAM_PAGING_RING_PFN(), xenctrl_h.HVM_PARAM_MONITOR_RING_PFN(),
            xenctrl_h.HVM_PARAM_SHARING_RING_PFN(), xenctrl_h.HVM_PARAM_VM86_TSS_SIZED(), xenctrl_h.HVM_PARAM_CONSOLE_PFN(),
            xenctrl_h.HVM_PARAM_ACPI_IOPORTS_LOCATION(), xenctrl_h.HVM_PARAM_VIRIDIAN(), xenctrl_h.HVM_PARAM_IDENT_PT(),
            xenctrl_h.HVM_PARAM_VM_GENERATION_ID_ADDR(), xenctrl_h.HVM_PARAM_IOREQ_SERVER_PFN(),
            xenctrl_h.HVM_PARAM_NR_IOREQ_SERVER_PAGES(), xenctrl_h.HVM_PARAM_X87_FIP_WIDTH(), xenctrl_h.HVM_PARAM_MCA_CAP(),
    };

    /** The end of a source: destroying the domain, and the hypervisor connection letting go of this handle. */
    interface Ending {
        void destroy(int domid);

        void forget(XenSourceDomain source);
    }

    private final XenHypervisor hypervisor;
    private final int domid;
    private final HintSlot hints;
    private final Ending ending;
    /** An HVM guest's QEMU, which the suspend stops and a rollback continues; empty for PVH. */
    private final Optional<HvmDeviceModel> deviceModel;
    /** xl's suffix for a source whose copy is about to start elsewhere. */
    static final String MIGRATED_AWAY = "--migratedaway";

    private XenDirtyLog dirtyLog;
    /** The name {@link #releaseName} gave up, for {@link #resumeAfterSuspend} to take back. */
    private String releasedName;
    private boolean closed;

    XenSourceDomain(XenHypervisor hypervisor, int domid, Optional<HvmDeviceModel> deviceModel) {
        this(hypervisor, domid, () -> openHints(hypervisor, domid), deviceModel, new Ending() {
            /** Like {@code xl destroy}: libxl removes the domain's xenstore entries and files too. */
            @Override
            public void destroy(int id) {
                Optional<LibXl> libxl = hypervisor.libxl();
                if (libxl.isPresent()) {
                    libxl.get().destroy(id);
                } else {
                    hypervisor.xc().destroy(id);
                }
            }

            @Override
            public void forget(XenSourceDomain source) {
                hypervisor.forget(source);
            }
        });
    }

    /** With the hints and the end given (tests: neither needs Xen). */
    XenSourceDomain(XenHypervisor hypervisor, int domid, HintSlot.Opener hints, Ending ending) {
        this(hypervisor, domid, hints, Optional.empty(), ending);
    }

    private XenSourceDomain(XenHypervisor hypervisor, int domid, HintSlot.Opener hints,
                            Optional<HvmDeviceModel> deviceModel, Ending ending) {
        this.hypervisor = hypervisor;
        this.domid = domid;
        this.hints = new HintSlot(domid, hints);
        this.deviceModel = deviceModel;
        this.ending = ending;
    }

    private static Optional<XenHintChannel> openHints(XenHypervisor hypervisor, int domid) {
        XenStore store;
        try {
            store = hypervisor.store();
        } catch (BackendException e) {
            throw new HintUnavailableException("no xenstore to read the guest's data/sonic from: " + e.getMessage(), e);
        }
        String directory;
        try {
            directory = store.domainPath(domid) + "/data/sonic";
        } catch (BackendException e) {
            throw new HintUnavailableException("xenstore has no path for domain " + domid + ": " + e.getMessage(), e);
        }
        return XenHintChannels.open(HintStore.of(store), directory, hypervisor.logger(), domid);
    }

    private DomainStatus status() {
        return hypervisor.xc().domain(domid).orElseThrow(() -> new BackendException("domain " + domid + " no longer exists"));
    }

    @Override
    public DomainInfo info() {
        return hypervisor.describe(status());
    }

    @Override
    public org.sonicmigration.spi.HypervisorVersion hypervisorVersion() {
        return hypervisor.xc().version();
    }

    @Override
    public RunState state() {
        return status().runState();
    }

    @Override
    public void pause() {
        hypervisor.xc().pause(domid);
    }

    @Override
    public void unpause() {
        hypervisor.xc().unpause(domid);
    }

    /**
     * Suspends the guest by the path libxl would take ({@link SuspendPath}): the request, acknowledgement
     * and suspend of {@link SuspendRequest}, or for an HVM guest without PV drivers Xen's own suspend.
     */
    @Override
    public void suspend(Duration timeout) {
        if (status().suspended()) {
            return;
        }
        XenCtrl xc = hypervisor.xc();
        if (suspendPath() == SuspendPath.HYPERVISOR) {
            HypervisorSuspend.run(domid, new HypervisorSuspend.Hypervisor() {
                @Override
                public void shutdownForSuspend() {
                    xc.shutdown(domid, xenctrl_h.SHUTDOWN_suspend());
                }

                // Not the cooperative resume: it refuses a domain that is not (yet) fully suspended, which
                // is exactly the state to undo here; for an HVM guest the other one is a plain resume.
                @Override
                public void resume() {
                    xc.resume(domid, false);
                }
            }, () -> xc.domain(domid), timeout, org.sonicmigration.spi.Clock.SYSTEM);
        } else {
            XenStore store = hypervisor.store();
            SuspendRequest.run(domid, new XenStoreNode(HintStore.of(store), store.domainPath(domid) + "/control/shutdown"),
                    () -> xc.domain(domid), timeout, org.sonicmigration.spi.Clock.SYSTEM);
        }
        // libxl's order: the guest first, then its device model, before the final dirty log is read
        deviceModel.ifPresent(HvmDeviceModel::stopAndSave);
    }

    /** Read at the suspend, as libxl does: a guest's PV drivers may have loaded since it was opened. */
    private SuspendPath suspendPath() {
        if (deviceModel.isEmpty()) {
            return SuspendPath.CONTROL_NODE;
        }
        XenCtrl xc = hypervisor.xc();
        return SuspendPath.choose(true, xc.hvmParam(domid, xenctrl_h.HVM_PARAM_CALLBACK_IRQ()),
                xc.hvmParam(domid, xenctrl_h.HVM_PARAM_ACPI_S_STATE()));
    }

    @Override
    public Optional<org.sonicmigration.spi.DeviceModelState> deviceModelState() {
        return deviceModel.flatMap(HvmDeviceModel::saved);
    }

    /**
     * Like {@code xl destroy}, after closing the hint channel: a grant mapping dom0 still held would keep
     * the destroyed guest as a zombie.
     */
    @Override
    public void destroy() {
        hints.close();
        ending.destroy(domid);
        LOG.debug("domain {} destroyed", domid);
    }

    /**
     * Resumes the guest, then takes back a name it gave up. xl renames first; we resume first, because
     * a rename that fails (libxl's lock, a name taken meanwhile) must never keep the guest from running:
     * such a failure is reported after the guest runs again.
     */
    @Override
    public synchronized void resumeAfterSuspend() {
        String name = releasedName;
        resumeThenRename(() -> {
            deviceModel.ifPresent(HvmDeviceModel::resumeIfStopped);
            hypervisor.xc().resume(domid, true);
            hypervisor.store().resumeDomain(domid);
        }, name == null ? null : () -> {
            rename(name + MIGRATED_AWAY, name);
            releasedName = null;
        }, name);
    }

    /**
     * Pauses the suspended domain (unless an administrator's pause already holds it: Xen counts pauses,
     * and one {@code xl unpause} must be enough), then resumes it, which with the pause held only lifts
     * the suspend: its vCPUs stay stopped. The name stays given up, as xl leaves it after a hand-over that
     * failed badly, so that the destination's copy keeps the name.
     */
    @Override
    public synchronized void keepPausedAfterSuspend() {
        holdThenResume(() -> status().paused(), () -> hypervisor.xc().pause(domid), () -> {
            deviceModel.ifPresent(HvmDeviceModel::resumeIfStopped);
            hypervisor.xc().resume(domid, true);
            hypervisor.store().resumeDomain(domid);
        });
    }

    /** The order of {@link #keepPausedAfterSuspend}: the pause holds before the resume, and is taken once. */
    static void holdThenResume(java.util.function.BooleanSupplier paused, Runnable pause, Runnable resume) {
        if (!paused.getAsBoolean()) {
            pause.run();
        }
        resume.run();
    }

    /** The order of {@link #resumeAfterSuspend}: the resume always runs, and runs first. */
    static void resumeThenRename(Runnable resume, Runnable renameBack, String name) {
        resume.run();
        if (renameBack == null) {
            return;
        }
        try {
            renameBack.run();
        } catch (RuntimeException e) {
            throw new BackendException("the guest runs again, but its name could not be changed back from "
                    + name + MIGRATED_AWAY + " to " + name + " (xl rename it): " + e.getMessage(), e);
        }
    }

    /**
     * libxl's stored configuration, as {@code xl save} writes it; empty (with a warning) for a domain libxl
     * did not create, whose stream then cannot be restored by stock xl.
     */
    @Override
    public Optional<String> toolstackConfig() {
        Optional<LibXl> libxl = hypervisor.libxl();
        if (libxl.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(DomainConfigJson.forNewDomain(libxl.get().domainConfigJson(domid)));
        } catch (XenCallException e) {
            LOG.warn("libxl has no configuration for domain {} (not created by xl?): the stream carries a minimal one, "
                    + "which stock xl restore does not accept: {}", domid, e.getMessage());
            return Optional.empty();
        }
    }

    /** Renames the domain NAME--migratedaway, so that {@code xl migrate-receive} can give its copy NAME. */
    @Override
    public synchronized void releaseName() {
        String name = hypervisor.name(domid);
        if (releasedName != null || name.isEmpty()) {
            return;
        }
        rename(name, name + MIGRATED_AWAY);
        releasedName = name;
    }

    private void rename(String from, String to) {
        Optional<LibXl> libxl = hypervisor.libxl();
        if (libxl.isPresent()) {
            libxl.get().rename(domid, from, to);
        } else {
            XenStore store = hypervisor.store();
            store.write(store.domainPath(domid) + "/name", to);
        }
    }

    @Override
    public synchronized DirtyLog enableDirtyLog() {
        if (dirtyLog != null) {
            throw new IllegalStateException("log-dirty of domain " + domid + " is already on");
        }
        long frames = hypervisor.xc().nrGpfns(domid);
        XenDirtyLog log = XenDirtyLog.enable(hypervisor.xc(), domid, frames);
        try {
            // QEMU's own writes to guest memory (emulated DMA, VGA) must land in the dirty log too
            deviceModel.ifPresent(dm -> dm.dirtyLog(true));
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
        dirtyLog = log;
        return new DirtyLog() {
            @Override
            public void fetchAndClean(org.sonicmigration.spi.PageBitmap into) {
                log.fetchAndClean(into);
            }

            @Override
            public void peek(org.sonicmigration.spi.PageBitmap into) {
                log.peek(into);
            }

            @Override
            public void close() {
                synchronized (XenSourceDomain.this) {
                    if (dirtyLog == log) {
                        dirtyLog = null;
                    }
                }
                try {
                    deviceModel.ifPresent(dm -> dm.dirtyLog(false));
                } catch (BackendException e) {
                    LOG.warn("domain {}: the device model's dirty logging could not be turned off: {}", domid, e.getMessage());
                }
                log.close();
            }
        };
    }

    /** Asks Xen for the types of the frames in batches, as for a read, and keeps those a read would map. */
    @Override
    public void retainGuestRam(org.sonicmigration.spi.PageBitmap pfns) {
        long[] batch = new long[RAM_CHECK_BATCH];
        long[] types = new long[RAM_CHECK_BATCH];
        int n = 0;
        for (long pfn = pfns.nextSetBit(0); pfn >= 0; pfn = pfns.nextSetBit(pfn + 1)) {
            batch[n++] = pfn;
            if (n == RAM_CHECK_BATCH) {
                clearNonRam(pfns, batch, types, n);
                n = 0;
            }
        }
        if (n > 0) {
            clearNonRam(pfns, batch, types, n);
        }
    }

    private void clearNonRam(org.sonicmigration.spi.PageBitmap pfns, long[] batch, long[] types, int n) {
        hypervisor.xc().pfnTypes(domid, batch, n, types);
        for (int i = 0; i < n; i++) {
            if (!FrameBatch.isGuestRam(types[i])) {
                pfns.clear(batch[i]);
            }
        }
    }

    /**
     * Asks Xen for the batch's page types first and maps only the frames it calls guest pages, as its
     * saver does: a hole, or a page of Xen's own in the guest's physmap (shared info, grant frames; the
     * guest maps those again when it resumes), is reported as a hole without a mapping attempt. That
     * sends what Xen sends, and it is faster: privcmd maps a batch with one hypercall but retries
     * frame by frame after each hole, and a PVH guest's frame space is mostly holes.
     */
    @Override
    public void readFrames(long[] pfns, int count, MemorySegment dst, int[] errors) {
        if (count < 0 || count > pfns.length || count > errors.length) {
            throw new IllegalArgumentException("frame count " + count + " outside 0.." + Math.min(pfns.length, errors.length));
        }
        for (int i = 0; i < count; i++) {
            if (pfns[i] < 0 || pfns[i] >= MAX_FRAMES) {
                throw new IllegalArgumentException("pfn " + pfns[i] + " at index " + i + " outside 0.." + (MAX_FRAMES - 1));
            }
        }
        long[] types = new long[count];
        hypervisor.xc().pfnTypes(domid, pfns, count, types);
        FrameBatch batch = FrameBatch.of(pfns, types, count);
        if (batch.mappable() == count) {
            hypervisor.memory().copyFrames(domid, pfns, count, dst, errors);
            return;
        }
        int[] mapErrors = new int[Math.max(1, batch.mappable())];
        hypervisor.memory().copyFrames(domid, batch.frames(), batch.mappable(), dst, mapErrors);
        batch.spread(dst, xenctrl_h.XC_PAGE_SIZE(), mapErrors, errors);
    }

    @Override
    public PlatformState captureState() {
        XenCtrl xc = hypervisor.xc();
        XenCtrl.CpuPolicy policy = xc.cpuPolicy(domid);
        PlatformState.TscInfo tsc = xc.tscInfo(domid);
        byte[] context = xc.hvmContext(domid);
        List<PlatformState.HvmParam> params = new ArrayList<>();
        for (int index : SAVED_HVM_PARAMS) {
            long value = xc.hvmParam(domid, index);
            if (value != 0) {
                params.add(new PlatformState.HvmParam(index, value));
            }
        }
        return new PlatformState(policy.cpuidLeaves(), policy.msrEntries(), tsc, context, params);
    }

    /**
     * The channel the guest advertises under {@code data/sonic} (SPEC §7), mapped and bound; empty if it
     * advertises none. While it is open, asking again gives the same channel.
     *
     * @throws HintUnavailableException with the one-line reason the advertised channel cannot be used
     */
    @Override
    public Optional<HintChannel> hintChannel() {
        return hints.open();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        hints.close();
        if (dirtyLog != null) {
            try {
                dirtyLog.close();
            } catch (RuntimeException e) {
                LOG.warn("could not turn log-dirty off for domain {}: {}", domid, e.getMessage());
            }
            dirtyLog = null;
        }
        ending.forget(this);
    }
}
