package org.sonicmigration.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sonicmigration.guest.FinalRead;
import org.sonicmigration.guest.HintAreaReader;
import org.sonicmigration.guest.HintSnapshot;
import org.sonicmigration.guest.InvalidReason;
import org.sonicmigration.guest.SoftSet;
import org.sonicmigration.sim.guest.ClockMode;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.sim.kernel.PageState;
import org.sonicmigration.sim.module.HintModuleSpec;
import org.sonicmigration.sim.workload.WorkloadSpec;
import org.sonicmigration.spi.DomainRef;
import org.sonicmigration.spi.HintChannel;
import org.sonicmigration.spi.SourceDomain;

/**
 * Modules that break SPEC.md, as dom0's reader sees them: each hostile kind yields a rejected area, a torn
 * read, or a lying set; and a slow module misses dom0's deadline.
 */
class HostileModuleTest {
    static final long MIB = 1 << 20;

    record Seen(HintSnapshot live, Dom0Side.Answer handshake, SimGuest guest) {
    }

    private static Seen observe(HintModuleSpec spec) {
        try (SimHypervisor h = new SimHypervisor()) {
            SimGuest g = h.createGuest(GuestConfig.linux61("vm", 64 * MIB).withClock(ClockMode.VIRTUAL).withHintModule(spec)
                    .withWorkloads(new WorkloadSpec.AllocateAnon(8 * MIB, 512 * MIB)));
            g.advance(Duration.ofMillis(250));
            try (SourceDomain src = h.openSource(new DomainRef.ByName("vm"))) {
                HintChannel ch = src.hintChannel().orElseThrow();
                HintSnapshot live = new HintAreaReader(g.pfnLimit()).read(ch.area());
                return new Seen(live, Dom0Side.handshake(g, ch, Duration.ofSeconds(2)), g);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = HintModuleSpec.HostileKind.class, names = {"BAD_MAGIC", "BAD_VERSION", "BAD_LENGTHS"})
    void aGarbageHeaderIsRejectedForTheLiveSetAndTheFinalSet(HintModuleSpec.HostileKind kind) {
        InvalidReason expected = switch (kind) {
            case BAD_MAGIC -> InvalidReason.BAD_MAGIC;
            case BAD_VERSION -> InvalidReason.UNSUPPORTED_MAJOR;
            default -> InvalidReason.SECTION_OUT_OF_BOUNDS;
        };
        Seen s = observe(HintModuleSpec.hostile(kind));
        assertThat(s.live()).isInstanceOfSatisfying(HintSnapshot.Invalid.class, i -> assertThat(i.reason()).isEqualTo(expected));
        assertThat(s.handshake().read()).isInstanceOfSatisfying(FinalRead.Invalid.class,
                i -> assertThat(i.reason()).isEqualTo(expected));
    }

    @Test
    void aGenerationLeftOddNeverGivesALiveRead() {
        Seen s = observe(HintModuleSpec.hostile(HintModuleSpec.HostileKind.TORN_GENERATION));
        assertThat(s.live()).isInstanceOfSatisfying(HintSnapshot.Torn.class, t -> assertThat(t.lastGeneration() & 1).isOne());
        // its publisher is broken, its handshake is not
        assertThat(s.handshake().read()).isInstanceOf(FinalRead.Ready.class);
        assertThat(s.guest().hintModule().orElseThrow().lastLive()).isEmpty();
    }

    @Test
    void anAllSoftGuestClaimsEveryPageInBothSets() {
        Seen s = observe(HintModuleSpec.hostile(HintModuleSpec.HostileKind.ALL_SOFT));
        long ram = s.guest().hintModule().orElseThrow().pfnCount();
        assertThat(s.live()).isInstanceOfSatisfying(HintSnapshot.Valid.class, v -> {
            assertThat(v.soft().cardinality()).isEqualTo(ram);
            for (long a : s.guest().hintModule().orElseThrow().areaPfns()) {
                assertThat(v.soft().contains(a)).isTrue();
            }
        });
        assertThat(s.handshake().read()).isInstanceOfSatisfying(FinalRead.Ready.class,
                r -> assertThat(r.finalSet().cardinality()).isEqualTo(ram));
    }

    @Test
    void aLyingGuestPublishesAnHonestLiveSetButNamesItsUserMemoryInTheFinalSet() {
        Seen s = observe(HintModuleSpec.hostile(HintModuleSpec.HostileKind.LYING_FINAL));
        assertThat(s.live()).isInstanceOf(HintSnapshot.Valid.class);
        SoftSet fin = ((FinalRead.Ready) s.handshake().read()).finalSet();
        long anonNamed = 0;
        for (long p = fin.nextSetBit(0); p >= 0; p = fin.nextSetBit(p + 1)) {
            PageState st = s.guest().pageState(p);
            assertThat(st).isIn(PageState.FREE, PageState.ANON);
            anonNamed += st == PageState.ANON ? 1 : 0;
        }
        assertThat(anonNamed).isEqualTo(s.guest().stateCounts().get(PageState.ANON)).isGreaterThanOrEqualTo(8 * MIB / 4096);
    }

    @Test
    void aSlowModuleMissesA200msDeadlineAndAnswersLater() {
        try (SimHypervisor h = new SimHypervisor()) {
            SimGuest slow = h.createGuest(GuestConfig.linux61("slow", 64 * MIB).withClock(ClockMode.VIRTUAL)
                    .withHintModule(new HintModuleSpec.Slow(Duration.ofMillis(100), Duration.ofMillis(900))));
            SimGuest quick = h.createGuest(GuestConfig.linux61("quick", 64 * MIB).withClock(ClockMode.VIRTUAL));
            try (SourceDomain s = h.openSource(new DomainRef.ByName("slow"));
                 SourceDomain q = h.openSource(new DomainRef.ByName("quick"))) {
                HintChannel slowCh = s.hintChannel().orElseThrow();
                HintAreaReader reader = new HintAreaReader(slow.pfnLimit());
                var ticket = reader.beginHandshake(slowCh.area());
                slowCh.notifyGuest();
                Dom0Side.Answer missed = Dom0Side.await(slow, slowCh, reader, ticket, Duration.ofMillis(200));
                assertThat(missed.read()).isInstanceOf(FinalRead.Pending.class);
                assertThat(missed.waitedMillis()).isEqualTo(200);
                Dom0Side.Answer late = Dom0Side.await(slow, slowCh, reader, ticket, Duration.ofSeconds(2));
                assertThat(late.read()).isInstanceOf(FinalRead.Ready.class);
                assertThat(slow.hintModule().orElseThrow().stats().lastHandshakeNanos()).isGreaterThanOrEqualTo(900_000_000L);
                // the same deadline is plenty for a cooperative module
                assertThat(Dom0Side.handshake(quick, q.hintChannel().orElseThrow(), Duration.ofMillis(200)).read())
                        .isInstanceOf(FinalRead.Ready.class);
            }
        }
    }
}
