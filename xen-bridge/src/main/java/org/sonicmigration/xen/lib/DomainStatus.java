package org.sonicmigration.xen.lib;

import java.lang.foreign.MemorySegment;
import java.util.UUID;

import org.sonicmigration.spi.RunState;
import org.sonicmigration.ffi.xen_domctl_getdomaininfo;
import org.sonicmigration.ffi.xenctrl_h;

/**
 * One domain as {@code xc_domain_getinfolist} reports it (a {@code xc_domaininfo_t}), decoded: the
 * {@code flags} word carries the run-state bits and, in bits 16-23, the shutdown reason.
 *
 * @param domid      the domain id
 * @param flags      the raw {@code XEN_DOMINF_*} word
 * @param totPages   frames the domain owns now
 * @param maxPages   its memory limit in frames
 * @param cpuTimeNs  CPU time consumed, in nanoseconds
 * @param maxVcpuId  highest vCPU id in use
 * @param handle     the domain's UUID
 */
public record DomainStatus(int domid, int flags, long totPages, long maxPages, long cpuTimeNs, int maxVcpuId, UUID handle) {

    static DomainStatus read(MemorySegment info) {
        MemorySegment h = xen_domctl_getdomaininfo.handle(info);
        long msb = 0;
        long lsb = 0;
        for (int i = 0; i < 8; i++) {
            msb = (msb << 8) | (h.getAtIndex(java.lang.foreign.ValueLayout.JAVA_BYTE, i) & 0xFF);
            lsb = (lsb << 8) | (h.getAtIndex(java.lang.foreign.ValueLayout.JAVA_BYTE, i + 8) & 0xFF);
        }
        return new DomainStatus(
                Short.toUnsignedInt(xen_domctl_getdomaininfo.domain(info)),
                xen_domctl_getdomaininfo.flags(info),
                xen_domctl_getdomaininfo.tot_pages(info),
                xen_domctl_getdomaininfo.max_pages(info),
                xen_domctl_getdomaininfo.cpu_time(info),
                xen_domctl_getdomaininfo.max_vcpu_id(info),
                new UUID(msb, lsb));
    }

    public boolean dying() {
        return (flags & xenctrl_h.XEN_DOMINF_dying()) != 0;
    }

    /** An HVM or PVH guest (PVH reports as HVM to the hypervisor). */
    public boolean hvm() {
        return (flags & xenctrl_h.XEN_DOMINF_hvm_guest()) != 0;
    }

    public boolean shutdown() {
        return (flags & xenctrl_h.XEN_DOMINF_shutdown()) != 0;
    }

    public boolean paused() {
        return (flags & xenctrl_h.XEN_DOMINF_paused()) != 0;
    }

    /** The guest-supplied {@code SHUTDOWN_*} code; meaningful only when {@link #shutdown()}. */
    public int shutdownReason() {
        return (flags >>> xenctrl_h.XEN_DOMINF_shutdownshift()) & xenctrl_h.XEN_DOMINF_shutdownmask();
    }

    /** Shut down with reason suspend: what a guest does when asked to suspend for migration. */
    public boolean suspended() {
        return shutdown() && shutdownReason() == xenctrl_h.SHUTDOWN_suspend();
    }

    /** The SPI's view: dying wins, then shut down (suspended or otherwise), then paused. */
    public RunState runState() {
        if (dying()) {
            return RunState.DYING;
        }
        if (shutdown()) {
            return suspended() ? RunState.SUSPENDED : RunState.SHUTDOWN;
        }
        return paused() ? RunState.PAUSED : RunState.RUNNING;
    }
}
