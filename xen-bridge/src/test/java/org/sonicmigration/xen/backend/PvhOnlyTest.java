package org.sonicmigration.xen.backend;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Which guests the Xen backend sends: PVH (Xen emulates only the local APIC), never HVM, whose device
 * model state its streams do not carry. Flag values are Xen 4.17's {@code XEN_X86_EMU_*}.
 */
class PvhOnlyTest {
    static final int LAPIC = 1;
    /** What libxl asks for an HVM guest: XEN_X86_EMU_ALL without VPCI (bits 0-9). */
    static final int LIBXL_HVM = 0x3ff;

    @Test
    void libxlsPvhAndHvmChoicesAreToldApart() {
        assertThat(XenHypervisor.pvhOnly(LAPIC)).isTrue();
        assertThat(XenHypervisor.pvhOnly(LIBXL_HVM)).isFalse();
        assertThat(XenHypervisor.pvhOnly(LIBXL_HVM | 1 << 9)).isFalse();
    }

    @Property
    void anyEmulatedDeviceBeyondTheLocalApicMakesAnHvmGuest(@ForAll @IntRange(min = 1, max = 10) int device) {
        assertThat(XenHypervisor.pvhOnly(LAPIC | 1 << device)).isFalse();
        assertThat(XenHypervisor.pvhOnly(1 << device)).isFalse();
    }
}
