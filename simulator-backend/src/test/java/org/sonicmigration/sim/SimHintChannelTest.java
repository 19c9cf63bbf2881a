package org.sonicmigration.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.sonicmigration.guest.FinalRead;
import org.sonicmigration.guest.HintAreaGeometry;
import org.sonicmigration.guest.HintAreaReader;
import org.sonicmigration.guest.HintSnapshot;
import org.sonicmigration.sim.guest.ClockMode;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.sim.kernel.PageState;
import org.sonicmigration.sim.kernel.SimulatorException;
import org.sonicmigration.sim.module.HintModule;
import org.sonicmigration.sim.module.HintModuleSpec;
import org.sonicmigration.spi.DirtyLog;
import org.sonicmigration.spi.DomainRef;
import org.sonicmigration.spi.HintChannel;
import org.sonicmigration.spi.PageBitmap;
import org.sonicmigration.spi.SourceDomain;

/** The hint channel as the SPI exposes it, and the area as part of the guest's own memory. */
class SimHintChannelTest {
    static final long MIB = 1 << 20;

    @Test
    void aGuestWithoutAModuleOffersNoChannel() {
        try (SimHypervisor h = new SimHypervisor()) {
            SimGuest g = h.createGuest(GuestConfig.linux61("vm", 64 * MIB).withClock(ClockMode.VIRTUAL)
                    .withHintModule(HintModuleSpec.none()));
            assertThat(g.hintModule()).isEmpty();
            try (SourceDomain src = h.openSource(new DomainRef.ByName("vm"))) {
                assertThat(src.hintChannel()).isEmpty();
            }
        }
    }

    @Test
    void theAreaIsTheGuestsOwnHardKernelMemoryAndItsWritesAreDirtyLogged() {
        try (SimHypervisor h = new SimHypervisor()) {
            SimGuest g = h.createGuest(GuestConfig.linux61("vm", 256 * MIB).withClock(ClockMode.VIRTUAL));
            HintModule m = g.hintModule().orElseThrow();
            assertThat(m.geometry()).isEqualTo(HintAreaGeometry.plan(256 * MIB / 4096, false));
            try (SourceDomain src = h.openSource(new DomainRef.ByName("vm")); DirtyLog log = src.enableDirtyLog()) {
                HintChannel ch = src.hintChannel().orElseThrow();
                assertThat(src.hintChannel()).containsSame(ch);
                MemorySegment area = ch.area();
                assertThat(area.isReadOnly()).isTrue();
                assertThat(area.byteSize()).isEqualTo(m.geometry().areaBytes());
                g.advance(Duration.ofMillis(150));
                PageBitmap dirty = new PageBitmap(g.pfnLimit());
                log.fetchAndClean(dirty);
                PageBitmap hard = g.hardPages();
                long[] pfns = m.areaPfns();
                for (int i = 0; i < pfns.length; i++) {
                    assertThat(g.pageState(pfns[i])).isEqualTo(PageState.KERNEL);
                    assertThat(hard.get(pfns[i])).isTrue();
                    // a migration reads the area's frames and gets the area's bytes
                    byte[] expected = area.asSlice((long) i * 4096, 4096).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                    assertThat(g.readPage(pfns[i])).isEqualTo(expected);
                }
                assertThat(dirty.get(pfns[0])).as("header page rewritten by the publication").isTrue();
                assertThat(dirty.get(pfns[1])).as("live section rewritten").isTrue();
                assertThat(dirty.get(pfns[pfns.length - 1])).as("final section untouched without a handshake").isFalse();
                assertThatThrownBy(() -> g.freeKernelPages(new long[] {pfns[0]})).hasMessageContaining("hint module");
            }
        }
    }

    @Test
    void eventsFromTheGuestAreWaitedForAndConsumed() throws InterruptedException {
        try (SimHypervisor h = new SimHypervisor()) {
            SimGuest g = h.createGuest(GuestConfig.linux61("vm", 64 * MIB).withClock(ClockMode.VIRTUAL));
            try (SourceDomain src = h.openSource(new DomainRef.ByName("vm"))) {
                HintChannel ch = src.hintChannel().orElseThrow();
                assertThat(ch.awaitGuestEvent(Duration.ofMillis(20))).as("nothing asked, nothing raised").isFalse();
                assertThat(Dom0Side.handshake(g, ch, Duration.ofSeconds(2)).read()).isInstanceOf(FinalRead.Ready.class);
                assertThat(ch.awaitGuestEvent(Duration.ZERO)).isTrue();
                assertThat(ch.awaitGuestEvent(Duration.ZERO)).as("events coalesce and are consumed").isFalse();
            }
        }
    }

    @Test
    void aClosedChannelRefusesUseAndTheModuleKeepsPublishing() {
        try (SimHypervisor h = new SimHypervisor()) {
            SimGuest g = h.createGuest(GuestConfig.linux61("vm", 64 * MIB).withClock(ClockMode.VIRTUAL));
            HintChannel ch;
            MemorySegment mapped;
            try (SourceDomain src = h.openSource(new DomainRef.ByName("vm"))) {
                ch = src.hintChannel().orElseThrow();
                mapped = ch.area();
            }
            assertThatThrownBy(ch::area).isInstanceOf(SimulatorException.class).hasMessageContaining("closed");
            assertThatThrownBy(ch::notifyGuest).isInstanceOf(SimulatorException.class);
            long before = g.hintModule().orElseThrow().stats().publications();
            g.advance(Duration.ofMillis(300));
            assertThat(g.hintModule().orElseThrow().stats().publications()).isGreaterThan(before);
            assertThat(new HintAreaReader(g.pfnLimit()).read(mapped)).isInstanceOf(HintSnapshot.Valid.class);
        }
    }
}
