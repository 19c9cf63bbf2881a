package org.sonicmigration.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.sonicmigration.guest.FinalRead;
import org.sonicmigration.guest.HandshakeProtocol;
import org.sonicmigration.guest.HandshakeTicket;
import org.sonicmigration.guest.HintAreaReader;
import org.sonicmigration.guest.HintSnapshot;
import org.sonicmigration.guest.RetryPolicy;
import org.sonicmigration.guest.SoftSet;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.sim.kernel.FrameSpace;
import org.sonicmigration.sim.kernel.PageState;
import org.sonicmigration.sim.kernel.WritebackPolicy;
import org.sonicmigration.sim.module.HintModuleSpec;
import org.sonicmigration.sim.workload.WorkloadSpec;
import org.sonicmigration.spi.DomainRef;
import org.sonicmigration.spi.HintChannel;
import org.sonicmigration.spi.SourceDomain;

/** The module on the real-time clock: its driver thread publishes while dom0 reads from another thread. */
class HintModuleRealTimeTest {
    static final long MIB = 1 << 20;

    @Test
    void aConcurrentReaderOnlyEverAcceptsWholePublications() {
        GuestConfig cfg = GuestConfig.linux61("rt", 64 * MIB).withFrameSpace(FrameSpace.FLAT)
                .withHintModule(new HintModuleSpec.Cooperative(Duration.ofMillis(1), Duration.ofMillis(1), false))
                .withWriteback(new WritebackPolicy(Duration.ofMillis(20), Duration.ofMillis(5), Duration.ofMillis(2)))
                .withWorkloads(new WorkloadSpec.FileChurn(80, 512, 32768, 20_000),
                        new WorkloadSpec.FillCache(12 * MIB, MIB, 4 * MIB));
        Map<Long, SoftSet> published = new ConcurrentHashMap<>();
        record Accepted(long generation, SoftSet soft) {
        }
        List<Accepted> accepted = new ArrayList<>();
        Set<Long> generations = new HashSet<>();
        long torn = 0;
        long unrecordedUpTo;
        try (SimHypervisor h = new SimHypervisor()) {
            SimGuest g = h.createGuest(cfg);
            g.hintModule().orElseThrow().onPublish(p -> published.put(p.generation(), p.soft()));
            // the guest ran before the observer was attached: publications up to this one may be unrecorded
            unrecordedUpTo = g.hintModule().orElseThrow().lastLive().map(p -> p.generation()).orElse(0L);
            // spinning: the reader retries as fast as it can, the worst case for catching a half-written set
            HintAreaReader reader = new HintAreaReader(g.pfnLimit(), RetryPolicy.spinning(64));
            try (SourceDomain src = h.openSource(new DomainRef.ByName("rt"))) {
                HintChannel ch = src.hintChannel().orElseThrow();
                long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (generations.size() < 300 && System.nanoTime() < end) {
                    switch (reader.read(ch.area())) {
                        case HintSnapshot.Valid v -> {
                            if (generations.add(v.generation()) && accepted.size() < 5000) {
                                accepted.add(new Accepted(v.generation(), v.soft()));
                            }
                        }
                        case HintSnapshot.Torn t -> torn++;
                        case HintSnapshot.Invalid i -> throw new AssertionError("a cooperative module's area was rejected: " + i);
                    }
                }
            }
        } // the guest is gone: every publication has been recorded
        assertThat(generations.size()).as("publications seen while the guest ran").isGreaterThan(1);
        assertThat(new HashSet<>(published.values())).as("the soft set kept changing").hasSizeGreaterThan(1);
        for (Accepted a : accepted) {
            if (a.generation() == 0) {
                assertThat(a.soft().isEmpty()).as("the initial hint is empty").isTrue();
                continue;
            }
            if (a.generation() <= unrecordedUpTo) {
                continue;
            }
            SoftSet p = published.get(a.generation());
            assertThat(p).as("generation %d was published", a.generation()).isNotNull();
            HintModuleLiveSetTest.assertSameMembers(a.soft(), p);
        }
        System.out.printf("real-time reader: %d publications accepted and checked, %d torn reads%n", accepted.size(), torn);
    }

    @Test
    void dom0WaitsForTheAnswerOnGuestEvents() throws InterruptedException {
        try (SimHypervisor h = new SimHypervisor()) {
            SimGuest g = h.createGuest(GuestConfig.linux61("rt", 128 * MIB).withWorkloads(WorkloadSpec.fillCache(32 * MIB)));
            assertThat(g.awaitReady(Duration.ofSeconds(30))).isTrue();
            try (SourceDomain src = h.openSource(new DomainRef.ByName("rt"))) {
                HintChannel ch = src.hintChannel().orElseThrow();
                HintAreaReader reader = new HintAreaReader(g.pfnLimit());
                HandshakeTicket ticket = reader.beginHandshake(ch.area());
                ch.notifyGuest();
                int events = 0;
                FinalRead read = reader.readFinal(ch.area(), ticket);
                long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (HandshakeProtocol.keepWaiting(read) && System.nanoTime() < end) {
                    if (ch.awaitGuestEvent(HandshakeProtocol.DOM0_RECHECK_INTERVAL)) {
                        events++;
                    }
                    read = reader.readFinal(ch.area(), ticket);
                }
                assertThat(read).isInstanceOf(FinalRead.Ready.class);
                assertThat(events).as("REQUESTED and FINAL_READY were signalled").isPositive();
                SoftSet fin = ((FinalRead.Ready) read).finalSet();
                src.suspend(Duration.ofSeconds(5));
                // listed, not held: nothing allocated since the scan, so every member is still free
                HintModuleHandshakeTest.assertEveryMember(fin, g, PageState.FREE);
                src.resumeAfterSuspend();
                HintModuleHandshakeTest.assertEveryMember(fin, g, PageState.FREE);
            }
        }
    }
}
