package org.sonicmigration.xen.backend;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

class SuspendPathTest {
    @Test
    void anHvmGuestWhosePvDriversNeverSetUpEventDeliveryIsSuspendedByXen() {
        assertThat(SuspendPath.choose(true, 0, 0)).isEqualTo(SuspendPath.HYPERVISOR);
    }

    @Test
    void anHvmGuestWithPvDriversIsAskedThroughXenstore() {
        // Linux's PV-on-HVM drivers set a vector callback: delivery type 2 in the top byte
        qt().forAll(longs().between(1, Long.MAX_VALUE)).checkAssert(irq ->
                assertThat(SuspendPath.choose(true, irq, 0)).isEqualTo(SuspendPath.CONTROL_NODE));
        assertThat(SuspendPath.choose(true, 0x0200_0000_0000_00F3L, 0)).isEqualTo(SuspendPath.CONTROL_NODE);
    }

    @Test
    void anHvmGuestAsleepInAnAcpiStateCannotAnswerAndIsSuspendedByXen() {
        assertThat(SuspendPath.choose(true, 0x0200_0000_0000_00F3L, 3)).isEqualTo(SuspendPath.HYPERVISOR);
    }

    @Test
    void aPvhGuestIsAlwaysAskedThroughXenstore() {
        qt().forAll(longs().between(0, 16), longs().between(0, 5)).checkAssert((irq, s) ->
                assertThat(SuspendPath.choose(false, irq, s)).isEqualTo(SuspendPath.CONTROL_NODE));
    }
}
