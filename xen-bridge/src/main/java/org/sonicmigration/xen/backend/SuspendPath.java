package org.sonicmigration.xen.backend;

/**
 * How a guest is made to suspend, chosen by libxl's rule for HVM guests: an HVM guest whose PV drivers
 * never registered Xen's event callback ({@code HVM_PARAM_CALLBACK_IRQ} still 0), or one sleeping in
 * an ACPI S-state, cannot answer a xenstore request, so Xen suspends it; every other guest (PVH always,
 * HVM with PV drivers) is asked through its {@code control/shutdown} node and suspends itself.
 */
enum SuspendPath {
    /** The guest's own drivers answer {@code control/shutdown = suspend} ({@link SuspendRequest}). */
    CONTROL_NODE,
    /** Xen shuts the guest down with reason suspend; the guest takes no part ({@link HypervisorSuspend}). */
    HYPERVISOR;

    /**
     * @param emulatedHvm  the guest has a device model (HVM); PVH guests always have PV drivers
     * @param callbackIrq  {@code HVM_PARAM_CALLBACK_IRQ}: 0 until the guest's PV drivers set up event delivery
     * @param acpiSleepState {@code HVM_PARAM_ACPI_S_STATE}: 0 while the guest is awake
     */
    static SuspendPath choose(boolean emulatedHvm, long callbackIrq, long acpiSleepState) {
        return emulatedHvm && (callbackIrq == 0 || acpiSleepState != 0) ? HYPERVISOR : CONTROL_NODE;
    }
}
