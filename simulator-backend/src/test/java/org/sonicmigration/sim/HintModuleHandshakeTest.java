package org.sonicmigration.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sonicmigration.guest.FinalRead;
import org.sonicmigration.guest.HandshakeState;
import org.sonicmigration.guest.HintAreaReader;
import org.sonicmigration.guest.HintFlag;
import org.sonicmigration.guest.SoftSet;
import org.sonicmigration.sim.guest.ClockMode;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.sim.kernel.FrameSpace;
import org.sonicmigration.sim.kernel.PageState;
import org.sonicmigration.sim.module.HintModule;
import org.sonicmigration.sim.module.HintModuleSpec;
import org.sonicmigration.sim.workload.WorkloadSpec;
import org.sonicmigration.spi.DomainRef;
import org.sonicmigration.spi.HintChannel;
import org.sonicmigration.spi.SourceDomain;

/** The cooperative module's suspend handshake (SPEC.md §5-§6) as dom0 drives it through the hint channel. */
class HintModuleHandshakeTest {
    static final long MIB = 1 << 20;

    static GuestConfig guest(String name, long mib) {
        return GuestConfig.linux61(name, mib * MIB).withClock(ClockMode.VIRTUAL).withSeed(7);
    }

    /** A guest whose module holds its final sets. */
    static GuestConfig holding(String name, long mib) {
        return guest(name, mib).withHintModule(HintModuleSpec.holding());
    }

    @Test
    void finalSetHoldsOnlyFreePagesThatStayHeldUntilSuspendAndGoBackOnResume() {
        try (SimHypervisor h = new SimHypervisor()) {
            SimGuest g = h.createGuest(holding("vm", 256).withWorkloads(WorkloadSpec.fillCache(96 * MIB)));
            assertThat(g.advanceUntilReady(Duration.ofMillis(10), Duration.ofSeconds(30))).isTrue();
            g.start(new WorkloadSpec.AllocateAnon(48 * MIB, 64 * MIB)); // keeps allocating through the handshake
            HintModule module = g.hintModule().orElseThrow();
            long cacheBefore = g.stateCounts().get(PageState.CACHE_CLEAN);
            assertThat(cacheBefore).isGreaterThan(20_000);
            try (SourceDomain src = h.openSource(new DomainRef.ByName("vm"))) {
                HintChannel ch = src.hintChannel().orElseThrow();
                Dom0Side.Answer a = Dom0Side.handshake(g, ch, Duration.ofSeconds(2));
                FinalRead.Ready ready = (FinalRead.Ready) a.read();
                assertThat(ready.seq()).isEqualTo(1);
                assertThat(ready.flags()).contains(HintFlag.FREE, HintFlag.CLEAN_CACHE, HintFlag.HELD);
                SoftSet fin = ready.finalSet();
                assertThat(fin.cardinality()).as("the dropped cache is free now and held").isGreaterThan(cacheBefore);
                assertThat(g.stateCounts().get(PageState.CACHE_CLEAN)).as("clean cache dropped").isLessThan(cacheBefore / 10);
                for (long p : module.areaPfns()) {
                    assertThat(fin.contains(p)).isFalse();
                }
                assertEveryMember(fin, g, PageState.HELD);
                SoftSet heldNow = module.heldPages();
                assertThat(heldNow.cardinality()).isEqualTo(fin.cardinality());
                for (long p = heldNow.nextSetBit(0); p >= 0; p = heldNow.nextSetBit(p + 1)) {
                    assertThat(fin.contains(p)).isTrue();
                }

                g.advance(Duration.ofMillis(300)); // the allocator keeps serving the workload without touching them
                assertEveryMember(fin, g, PageState.HELD);
                src.suspend(Duration.ofSeconds(1));
                assertEveryMember(fin, g, PageState.HELD);

                src.resumeAfterSuspend();
                assertEveryMember(fin, g, PageState.FREE);
                assertThat(module.heldPages().isEmpty()).isTrue();
                HintAreaReader reader = new HintAreaReader(g.pfnLimit());
                assertThat(reader.readFinal(ch.area(), reader.beginHandshake(ch.area())))
                        .isInstanceOf(FinalRead.Pending.class);
                assertThat(module.handshake().state()).contains(HandshakeState.IDLE);
                assertThat(module.handshake().seq()).isEqualTo(1);
            }
        }
    }

    @Test
    void theAnswerComesAfterTheTicketAndWithinTheGuestBudget() {
        try (SimHypervisor h = new SimHypervisor()) {
            SimGuest g = h.createGuest(guest("vm", 256));
            g.advance(Duration.ofMillis(50));
            try (SourceDomain src = h.openSource(new DomainRef.ByName("vm"))) {
                HintChannel ch = src.hintChannel().orElseThrow();
                HintAreaReader reader = new HintAreaReader(g.pfnLimit());
                var ticket = reader.beginHandshake(ch.area());
                assertThat(reader.readFinal(ch.area(), ticket)).as("nothing asked yet").isInstanceOf(FinalRead.Pending.class);
                ch.notifyGuest();
                ch.notifyGuest(); // events coalesce: one handshake
                Dom0Side.Answer a = Dom0Side.await(g, ch, reader, ticket, Duration.ofSeconds(2));
                assertThat(a.read()).isInstanceOf(FinalRead.Ready.class);
                assertThat(((FinalRead.Ready) a.read()).seq()).isEqualTo(1);
                assertThat(a.waitedMillis()).isLessThan(1500);
                HintModule.Stats s = g.hintModule().orElseThrow().stats();
                assertThat(s.handshakes()).isEqualTo(1);
                assertThat(s.lastHandshakeNanos()).isBetween(HintModuleSpec.DEFAULT_ACK_LATENCY.toNanos(), 1_500_000_000L);
            }
        }
    }

    @Test
    void heldPagesGoBackWhenNoSuspendFollowsWithinTheHoldTimeout() {
        try (SimHypervisor h = new SimHypervisor()) {
            SimGuest g = h.createGuest(holding("vm", 64).withFrameSpace(FrameSpace.FLAT));
            try (SourceDomain src = h.openSource(new DomainRef.ByName("vm"))) {
                HintChannel ch = src.hintChannel().orElseThrow();
                FinalRead.Ready ready = (FinalRead.Ready) Dom0Side.handshake(g, ch, Duration.ofSeconds(2)).read();
                assertThat(ready.finalSet().cardinality()).isGreaterThan(0);
                g.advance(Duration.ofSeconds(59));
                assertEveryMember(ready.finalSet(), g, PageState.HELD);
                g.advance(Duration.ofSeconds(2));
                assertEveryMember(ready.finalSet(), g, PageState.FREE);
                HintAreaReader reader = new HintAreaReader(g.pfnLimit());
                var old = new org.sonicmigration.guest.HandshakeTicket(
                        new org.sonicmigration.guest.HandshakeWord(0, HandshakeState.IDLE, org.sonicmigration.guest.HandshakeFailure.NONE));
                assertThat(reader.readFinal(ch.area(), old)).isEqualTo(new FinalRead.Released(1));
            }
        }
    }

    @Test
    void aSecondRequestSupersedesAndKeepsWhatIsHeld() {
        try (SimHypervisor h = new SimHypervisor()) {
            SimGuest g = h.createGuest(holding("vm", 64).withFrameSpace(FrameSpace.FLAT));
            try (SourceDomain src = h.openSource(new DomainRef.ByName("vm"))) {
                HintChannel ch = src.hintChannel().orElseThrow();
                FinalRead.Ready first = (FinalRead.Ready) Dom0Side.handshake(g, ch, Duration.ofSeconds(2)).read();
                FinalRead.Ready second = (FinalRead.Ready) Dom0Side.handshake(g, ch, Duration.ofSeconds(2)).read();
                assertThat(second.seq()).isEqualTo(2);
                assertThat(first.finalSet().isSubsetOf(second.finalSet())).isTrue();
                assertEveryMember(second.finalSet(), g, PageState.HELD);
            }
        }
    }

    static void assertEveryMember(SoftSet set, SimGuest g, PageState expected) {
        Map<PageState, Long> wrong = new java.util.EnumMap<>(PageState.class);
        for (long p = set.nextSetBit(0); p >= 0; p = set.nextSetBit(p + 1)) {
            PageState s = g.pageState(p);
            if (s != expected) {
                wrong.merge(s, 1L, Long::sum);
            }
        }
        assertThat(wrong).as("members of the final set not %s", expected).isEmpty();
    }
}
