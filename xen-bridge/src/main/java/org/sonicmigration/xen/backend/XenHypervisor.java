package org.sonicmigration.xen.backend;

import org.sonicmigration.xen.lib.DomainStatus;
import org.sonicmigration.xen.lib.ForeignMemory;
import org.sonicmigration.xen.lib.LibXl;
import org.sonicmigration.xen.lib.ToolLogger;
import org.sonicmigration.xen.lib.XenCallException;
import org.sonicmigration.xen.lib.XenCtrl;
import org.sonicmigration.xen.lib.XenStore;
import org.sonicmigration.xen.lib.XenUnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sonicmigration.spi.BackendException;
import org.sonicmigration.spi.DomainInfo;
import org.sonicmigration.spi.DomainRef;
import org.sonicmigration.spi.DomainSpec;
import org.sonicmigration.spi.Hypervisor;
import org.sonicmigration.spi.SourceDomain;
import org.sonicmigration.spi.TargetDomain;
import org.sonicmigration.ffi.xenctrl_h;

/**
 * A connection to the local Xen hypervisor: one libxenctrl handle, one foreign-memory handle, when
 * xenstored runs one xenstore connection, and on first need one libxl context, all logging into SLF4J
 * through one {@link ToolLogger}. Domain names come from xenstore ({@code /local/domain/<id>/name});
 * without xenstore they are empty and guests cannot be asked to suspend. libxl gives what the toolstack
 * keeps about a domain (its configuration, renaming, a full destroy); without it a domain's stream
 * carries a minimal configuration and destroying it leaves its xenstore entries behind.
 */
public final class XenHypervisor implements Hypervisor {
    private static final Logger LOG = LoggerFactory.getLogger(XenHypervisor.class);

    private final ToolLogger logger;
    private final XenCtrl xc;
    private final ForeignMemory memory;
    private final Optional<XenStore> store;
    private final String storeProblem;
    private final List<XenSourceDomain> sources = new ArrayList<>();
    private LibXl libxl;
    private String libxlProblem;
    private boolean closed;

    private XenHypervisor(ToolLogger logger, XenCtrl xc, ForeignMemory memory, Optional<XenStore> store, String storeProblem) {
        this.logger = logger;
        this.xc = xc;
        this.memory = memory;
        this.store = store;
        this.storeProblem = storeProblem;
    }

    /**
     * Opens every handle.
     *
     * @throws XenUnavailableException if this is not a usable Xen dom0
     */
    public static XenHypervisor open() {
        ToolLogger logger = ToolLogger.create();
        XenCtrl xc = null;
        ForeignMemory memory = null;
        try {
            xc = XenCtrl.open(logger);
            memory = ForeignMemory.open(logger);
            Optional<XenStore> store;
            String problem = "";
            try {
                store = Optional.of(XenStore.open());
            } catch (BackendException e) {
                store = Optional.empty();
                problem = e.getMessage();
                LOG.warn("xenstore unavailable, domain names and suspend will not work: {}", problem);
            }
            LOG.debug("Xen backend open: libxenctrl, libxenforeignmemory{}", store.isPresent() ? ", xenstore" : "");
            return new XenHypervisor(logger, xc, memory, store, problem);
        } catch (RuntimeException e) {
            if (memory != null) {
                memory.close();
            }
            if (xc != null) {
                xc.close();
            }
            logger.close();
            throw e;
        }
    }

    @Override
    public String backendName() {
        return "xen";
    }

    @Override
    public synchronized List<DomainInfo> listDomains() {
        ensureOpen();
        List<DomainInfo> out = new ArrayList<>();
        for (DomainStatus s : xc.domains()) {
            out.add(describe(s));
        }
        return out;
    }

    DomainInfo describe(DomainStatus s) {
        long pfnLimit;
        try {
            pfnLimit = xc.nrGpfns(s.domid());
        } catch (XenCallException e) {
            // a dying domain may no longer answer; the listing should still show it
            LOG.debug("no frame count for domain {}: {}", s.domid(), e.getMessage());
            pfnLimit = 0;
        }
        return new DomainInfo(s.domid(), name(s.domid()), pfnLimit, s.totPages(), (int) xenctrl_h.XC_PAGE_SIZE(), s.runState());
    }

    String name(int domid) {
        if (store.isEmpty()) {
            return "";
        }
        try {
            return store.get().read("/local/domain/" + domid + "/name").orElse("");
        } catch (XenCallException e) {
            LOG.debug("no name for domain {}: {}", domid, e.getMessage());
            return "";
        }
    }

    @Override
    public synchronized SourceDomain openSource(DomainRef ref) {
        ensureOpen();
        DomainStatus status = switch (ref) {
            case DomainRef.ById(int domid) -> xc.domain(domid)
                    .orElseThrow(() -> new BackendException("no domain with id " + domid));
            case DomainRef.ByName(String name) -> xc.domains().stream().filter(s -> name.equals(name(s.domid()))).findFirst()
                    .orElseThrow(() -> new BackendException("no domain named '" + name + "'"
                            + (store.isEmpty() ? " (xenstore unavailable: " + storeProblem + ")" : "")));
        };
        if (status.domid() == 0) {
            throw new BackendException("domain 0 is this dom0: it cannot be migrated");
        }
        if (!status.hvm()) {
            throw new BackendException("domain " + status.domid() + " is a PV guest: this backend migrates PVH and HVM "
                    + "guests only (Debian's Xen has no shadow paging, so PV log-dirty fails anyway)");
        }
        int emulated = xc.emulationFlags(status.domid());
        Optional<HvmDeviceModel> deviceModel = Optional.empty();
        if (!pvhOnly(emulated)) {
            refuseUncarriableHvm(status.domid(), HvmDeviceModel.presentFor(status.domid()),
                    libxl().flatMap(l -> configOf(l, status.domid())));
            deviceModel = Optional.of(HvmDeviceModel.of(status.domid(), store()));
        }
        XenSourceDomain source = new XenSourceDomain(this, status.domid(), deviceModel);
        sources.add(source);
        LOG.debug("domain {} opened for migration", status.domid());
        return source;
    }

    /** libxl's configuration of {@code domid}, or empty for a domain libxl did not create. */
    private static Optional<String> configOf(LibXl libxl, int domid) {
        try {
            return Optional.of(libxl.domainConfigJson(domid));
        } catch (XenCallException e) {
            return Optional.empty();
        }
    }

    /**
     * Refuses an HVM guest whose state cannot be carried: one whose device model is not a QEMU that this
     * dom0's libxl started (a stub domain's or none: no QMP socket to stop it and save its state), and one
     * with PCI devices passed through (their state is in hardware).
     */
    static void refuseUncarriableHvm(int domid, boolean qmpSocket, Optional<String> libxlConfig) {
        if (!qmpSocket) {
            throw new BackendException("domain " + domid + " is an HVM guest whose device model is not a QEMU of this dom0 "
                    + "(no " + org.sonicmigration.xen.qmp.DeviceModel.socketOf(domid) + "; a stub domain's?): its device "
                    + "state cannot be saved");
        }
        if (libxlConfig.isPresent() && DomainConfigJson.hasPassthrough(libxlConfig.get())) {
            throw new BackendException("domain " + domid + " has PCI devices passed through: their state is in the "
                    + "hardware and cannot be carried to another host");
        }
    }

    /** True for a PVH guest: Xen emulates nothing for it but the local APIC (libxl's choice for PVH). */
    static boolean pvhOnly(int emulationFlags) {
        return (emulationFlags & ~xenctrl_h.XEN_X86_EMU_LAPIC()) == 0;
    }

    @Override
    public TargetDomain createTarget(DomainSpec spec) {
        throw new BackendException("receiving into Xen: use `xl migrate-receive`/`xl restore` with the stream; "
                + "the Java receiver on Xen is not implemented yet");
    }

    XenCtrl xc() {
        ensureOpen();
        return xc;
    }

    ForeignMemory memory() {
        ensureOpen();
        return memory;
    }

    ToolLogger logger() {
        ensureOpen();
        return logger;
    }

    XenStore store() {
        ensureOpen();
        return store.orElseThrow(() -> new BackendException("xenstore is needed to ask a guest to suspend: " + storeProblem));
    }

    /**
     * The libxl context, opened on first use; empty (with the reason logged once) if libxl cannot be used
     * here, e.g. without xenstored.
     */
    synchronized Optional<LibXl> libxl() {
        ensureOpen();
        if (libxl == null && libxlProblem == null) {
            try {
                libxl = LibXl.open(logger);
            } catch (BackendException e) {
                libxlProblem = e.getMessage();
                LOG.warn("libxl unavailable, streams carry a minimal domain configuration and destroyed domains "
                        + "keep their xenstore entries: {}", libxlProblem);
            }
        }
        return Optional.ofNullable(libxl);
    }

    synchronized void forget(XenSourceDomain source) {
        sources.remove(source);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("Xen hypervisor connection already closed");
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        for (XenSourceDomain s : List.copyOf(sources)) {
            s.close();
        }
        closed = true;
        if (libxl != null) {
            libxl.close();
        }
        memory.close();
        store.ifPresent(XenStore::close);
        xc.close();
        logger.close();
    }
}
