package org.sonicmigration.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sonicmigration.guest.FinalRead;
import org.sonicmigration.guest.HintFlag;
import org.sonicmigration.guest.SoftSet;
import org.sonicmigration.sim.guest.ClockMode;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.sim.kernel.PageState;
import org.sonicmigration.sim.kernel.SimulatorException;
import org.sonicmigration.sim.module.HintModuleSpec;
import org.sonicmigration.sim.verify.MigrationVerifier;
import org.sonicmigration.sim.verify.VerificationMode;
import org.sonicmigration.sim.verify.VerificationResult;
import org.sonicmigration.sim.workload.WorkloadSpec;
import org.sonicmigration.spi.DirtyLog;
import org.sonicmigration.spi.DomainRef;
import org.sonicmigration.spi.HintChannel;
import org.sonicmigration.spi.PageBitmap;
import org.sonicmigration.spi.SourceDomain;
import org.sonicmigration.spi.TargetDomain;

/**
 * The simulated module's default is the Linux module's on a kernel with {@code init_on_alloc} (Debian's): its
 * final soft set lists the free pages without holding them, so the guest may take and write them before it is
 * paused. Those writes are in the final dirty set, so the pages are sent with their data and the migration still
 * verifies. Holding stays an option, and on such a kernel it dirties every page it holds, which is why it is not
 * the default.
 */
class ListedFinalSetTest {
    static final long MIB = 1 << 20;
    static final Set<PageState> TAKEN_BY_CHURN = EnumSet.of(PageState.ANON, PageState.PAGE_TABLE);

    static GuestConfig churning(String name) {
        return GuestConfig.linux61(name, 128 * MIB).withClock(ClockMode.VIRTUAL).withSeed(4)
                .withWorkloads(WorkloadSpec.fillCache(32 * MIB), WorkloadSpec.memoryChurn(20_000));
    }

    @Test
    void theListedFinalSetIsTheFreePagesAtTheScanAndTheGuestGoesOnAllocatingThem() {
        try (SimHypervisor h = new SimHypervisor()) {
            SimGuest g = h.createGuest(churning("vm"));
            assertThat(g.advanceUntilReady(Duration.ofMillis(10), Duration.ofSeconds(30))).isTrue();
            try (SourceDomain src = h.openSource(new DomainRef.ByName("vm"))) {
                HintChannel ch = src.hintChannel().orElseThrow();
                FinalRead.Ready ready = (FinalRead.Ready) Dom0Side.handshake(g, ch, Duration.ofSeconds(2)).read();
                assertThat(ready.flags()).contains(HintFlag.FREE).doesNotContain(HintFlag.HELD);
                assertThat(g.hintModule().orElseThrow().heldPages().isEmpty()).isTrue();
                SoftSet fin = ready.finalSet();
                assertThat(fin.cardinality()).as("the dropped cache is free and listed").isGreaterThan(32 * MIB / 4096);
                g.advance(Duration.ofMillis(100));
                long taken = 0;
                for (long p = fin.nextSetBit(0); p >= 0; p = fin.nextSetBit(p + 1)) {
                    PageState s = g.pageState(p);
                    assertThat(s).as("pfn %d", p).isIn(PageState.FREE, PageState.ANON, PageState.PAGE_TABLE);
                    taken += TAKEN_BY_CHURN.contains(s) ? 1 : 0;
                }
                assertThat(taken).as("listed pages the churn allocated in 100 ms at 20,000 pages/s").isGreaterThan(1000);
            }
        }
    }

    @Test
    void listedPagesTheGuestWroteBeforeThePauseAreSentWithTheirDataAndTheMigrationVerifies() {
        try (SimHypervisor a = new SimHypervisor("a"); SimHypervisor b = new SimHypervisor("b")) {
            SimGuest g = a.createGuest(churning("vm"));
            assertThat(g.advanceUntilReady(Duration.ofMillis(10), Duration.ofSeconds(30))).isTrue();
            try (SourceDomain src = a.openSource(new DomainRef.ByName("vm"));
                 TargetDomain dst = b.createTarget(MiniMigration.specFor(src, "vm"))) {
                SoftMiniMigration.Outcome o = SoftMiniMigration.run(g, src, dst, 3, Duration.ofMillis(20));
                SoftSet fin = ((FinalRead.Ready) o.answer()).finalSet();
                SimTargetDomain target = b.target("vm").orElseThrow();
                long dirtiedAndSent = 0;
                for (long p = fin.nextSetBit(0); p >= 0; p = fin.nextSetBit(p + 1)) {
                    if (TAKEN_BY_CHURN.contains(g.pageState(p))) {
                        assertThat(target.isPopulatedWithoutData(p)).as("pfn %d, written after the handshake", p).isFalse();
                        dirtiedAndSent++;
                    }
                }
                assertThat(dirtiedAndSent).as("final-set pages written between the handshake and the pause").isPositive();
                assertThat(o.noData()).as("the rest of the final set went without data").isPositive();
                VerificationResult r = MigrationVerifier.verify(g, target, VerificationMode.SOFT);
                assertThat(r.passed()).as(r.toString()).isTrue();
                assertThat(r.categories().withoutData().checked()).isEqualTo(o.noData());
            }
        }
    }

    @Test
    void holdingOnAnInitOnAllocKernelDirtiesEveryHeldPageAndWithoutInitOnAllocNone() {
        long[] withInit = held(true);
        assertThat(withInit[1]).as("held pages dirtied with init_on_alloc").isEqualTo(withInit[0]);
        assertThat(held(false)[1]).as("held pages dirtied without init_on_alloc").isZero();
    }

    /** Pages in a held final set, and how many of them the handshake dirtied. */
    private static long[] held(boolean initOnAlloc) {
        GuestConfig cfg = GuestConfig.linux61("vm", 64 * MIB).withClock(ClockMode.VIRTUAL)
                .withHintModule(HintModuleSpec.holding()).withInitOnAlloc(initOnAlloc);
        try (SimHypervisor h = new SimHypervisor()) {
            SimGuest g = h.createGuest(cfg);
            g.advance(Duration.ofMillis(20));
            try (SourceDomain src = h.openSource(new DomainRef.ByName("vm")); DirtyLog log = src.enableDirtyLog()) {
                PageBitmap dirty = new PageBitmap(g.pfnLimit());
                log.fetchAndClean(dirty);
                FinalRead.Ready ready = (FinalRead.Ready) Dom0Side.handshake(g, src.hintChannel().orElseThrow(),
                        Duration.ofSeconds(2)).read();
                assertThat(ready.flags()).contains(HintFlag.HELD);
                log.fetchAndClean(dirty);
                SoftSet fin = ready.finalSet();
                long dirtied = 0;
                for (long p = fin.nextSetBit(0); p >= 0; p = fin.nextSetBit(p + 1)) {
                    dirtied += dirty.get(p) ? 1 : 0;
                }
                assertThat(fin.cardinality()).isGreaterThan(1000);
                return new long[] {fin.cardinality(), dirtied};
            }
        }
    }

    @Test
    void aModuleThatListsItsFinalSetNeedsAKernelWithInitOnAlloc() {
        assertThatThrownBy(() -> GuestConfig.linux61("vm", 64 * MIB).withInitOnAlloc(false))
                .isInstanceOf(SimulatorException.class).hasMessageContaining("init_on_alloc")
                .hasMessageContaining("cooperative:hold");
        assertThat(GuestConfig.linux61("vm", 64 * MIB).withHintModule(HintModuleSpec.holding()).withInitOnAlloc(false)
                .initOnAlloc()).isFalse();
        assertThat(GuestConfig.linux61("vm", 64 * MIB).hintModule().holdsFinalSet()).as("the default lists").isFalse();
    }
}
