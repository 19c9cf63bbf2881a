package org.sonicmigration.xen.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

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

    @Test
    void anyEmulatedDeviceBeyondTheLocalApicMakesAnHvmGuest() {
        qt().withExamples(1000).forAll(integers().between(1, 10))
                .checkAssert(PvhOnlyTest::anyEmulatedDeviceBeyondTheLocalApicMakesAnHvmGuest);
    }

    private static void anyEmulatedDeviceBeyondTheLocalApicMakesAnHvmGuest(int device) {
        assertThat(XenHypervisor.pvhOnly(LAPIC | 1 << device)).isFalse();
        assertThat(XenHypervisor.pvhOnly(1 << device)).isFalse();
    }
}
