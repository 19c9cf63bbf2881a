package org.sonicmigration.sim.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.sonicmigration.engine.MigrationListener;
import org.sonicmigration.engine.MigrationOptions;
import org.sonicmigration.engine.MigrationReport;
import org.sonicmigration.engine.PreCopyEngine;
import org.sonicmigration.engine.SoftPolicy;
import org.sonicmigration.receiver.MigrationServer;
import org.sonicmigration.receiver.Receiver;
import org.sonicmigration.sim.SimHypervisor;
import org.sonicmigration.sim.SimTargetDomain;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.sim.module.HintModuleSpec;
import org.sonicmigration.sim.verify.MigrationVerifier;
import org.sonicmigration.sim.verify.VerificationMode;
import org.sonicmigration.sim.workload.WorkloadSpec;
import org.sonicmigration.spi.Clock;
import org.sonicmigration.spi.DomainRef;
import org.sonicmigration.spi.RunState;
import org.sonicmigration.spi.SourceDomain;
import org.sonicmigration.stream.StreamLimits;
import org.sonicmigration.transport.SocketDestination;

/**
 * A hostile guest, migrated over real TCP between two simulated hosts that each run another guest: the
 * migrator spends on it no more time and memory than plain pre-copy of the same guest would, the other
 * guests on both hosts keep running with every page as it was, and the migrated guest arrives whole.
 */
@Timeout(300)
class HostileGuestBoundsTest {
    private static final long MIB = 1L << 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** What one migration cost the migrating thread. */
    record Cost(MigrationReport report, long allocatedBytes, long nanos) {}

    private static Cost migrate(HintModuleSpec module, MigrationOptions options) throws Exception {
        try (SimHypervisor source = new SimHypervisor("source");
             SimHypervisor destination = new SimHypervisor("destination")) {
            SimGuest guest = source.createGuest(GuestConfig.linux61("hostile", 128 * MIB).withSeed(11)
                    .withHintModule(module));
            guest.start(WorkloadSpec.randomWriter(4 * MIB, 2000));
            SimGuest bystander = source.createGuest(GuestConfig.linux61("bystander", 64 * MIB).withSeed(3));
            SimGuest resident = destination.createGuest(GuestConfig.linux61("resident", 64 * MIB).withSeed(5));
            SimGuest neighbour = source.createGuest(GuestConfig.linux61("neighbour", 64 * MIB).withSeed(4));
            // Paused, their memory may change only if the migration touched it; the neighbour runs on.
            bystander.pause();
            resident.pause();
            long[] bystanderBefore = fingerprints(bystander);
            long[] residentBefore = fingerprints(resident);
            Cost cost;
            try (MigrationServer server = new MigrationServer(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), TIMEOUT)) {
                CompletableFuture<MigrationServer.Result> received = CompletableFuture.supplyAsync(() -> {
                    try {
                        return server.receiveOne(new Receiver(destination, StreamLimits.defaults(), null), TIMEOUT);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                try (SourceDomain domain = source.openSource(new DomainRef.ByName("hostile"));
                     SocketDestination link = new SocketDestination(
                             new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), TIMEOUT)) {
                    long bytes = THREADS.getCurrentThreadAllocatedBytes();
                    long start = System.nanoTime();
                    MigrationReport report = new PreCopyEngine(options, Clock.SYSTEM, MigrationListener.NONE)
                            .migrate(domain, "sim", link);
                    cost = new Cost(report, THREADS.getCurrentThreadAllocatedBytes() - bytes, System.nanoTime() - start);
                }
                MigrationServer.Result arrived = received.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                var verdict = MigrationVerifier.verify(guest, (SimTargetDomain) arrived.received().domain(),
                        VerificationMode.SOFT);
                assertThat(verdict.passed()).as(verdict.toString()).isTrue();
            }
            assertThat(bystander.state()).isEqualTo(RunState.PAUSED);
            assertThat(resident.state()).isEqualTo(RunState.PAUSED);
            assertThat(neighbour.state()).isEqualTo(RunState.RUNNING);
            assertThat(changed(bystanderBefore, fingerprints(bystander))).as("pages of the bystander on the source host"
                    + " that changed").isZero();
            assertThat(changed(residentBefore, fingerprints(resident))).as("pages of the destination's resident that"
                    + " changed").isZero();
            return cost;
        }
    }

    private static long changed(long[] before, long[] after) {
        return java.util.stream.IntStream.range(0, before.length).filter(i -> before[i] != after[i]).count();
    }

    private static long[] fingerprints(SimGuest g) {
        long[] f = new long[Math.toIntExact(g.ramEnd())];
        for (int pfn = 0; pfn < f.length; pfn++) {
            f[pfn] = g.fingerprint(pfn);
        }
        return f;
    }

    private static MigrationOptions options(SoftPolicy soft, boolean verifyHints) {
        return MigrationOptions.defaults().withSoft(soft).withVerifyHints(verifyHints);
    }

    private static void withinPlainPreCopy(Cost hostile, Cost plain) {
        // Allocation and time of the engine's thread: a hostile guest may make the migration fall back, never grow.
        assertThat(hostile.allocatedBytes()).as("bytes allocated, plain pre-copy: " + plain.allocatedBytes())
                .isLessThan(2 * plain.allocatedBytes() + 16 * MIB);
        assertThat(hostile.nanos()).as("time, plain pre-copy: " + plain.nanos() / 1_000_000 + " ms")
                .isLessThan(3 * plain.nanos() + Duration.ofSeconds(10).toNanos());
        assertThat(hostile.report().iterations()).hasSizeLessThanOrEqualTo(plain.report().iterations().size() + 1);
    }

    @Test
    void aGuestCallingEveryPageSoftIsCaughtAndCostsNoMoreThanPlainPreCopy() throws Exception {
        Cost plain = migrate(HintModuleSpec.cooperative(), options(SoftPolicy.OFF, false));
        Cost hostile = migrate(HintModuleSpec.hostile(HintModuleSpec.HostileKind.ALL_SOFT),
                options(SoftPolicy.FREE_AND_CACHE, true));
        assertThat(hostile.report().soft().fallbacks()).anySatisfy(f -> assertThat(f).contains("caught lying"));
        assertThat(hostile.report().soft().unsentPages()).isZero();
        withinPlainPreCopy(hostile, plain);
    }

    @Test
    void aGenerationThatFlipsForeverIsGivenUpOnWithinTheSameBounds() throws Exception {
        Cost plain = migrate(HintModuleSpec.cooperative(), options(SoftPolicy.OFF, false));
        Cost hostile = migrate(HintModuleSpec.hostile(HintModuleSpec.HostileKind.TORN_GENERATION),
                options(SoftPolicy.FREE_AND_CACHE, false));
        assertThat(hostile.report().soft().fallbacks()).isNotEmpty();
        withinPlainPreCopy(hostile, plain);
    }
}
