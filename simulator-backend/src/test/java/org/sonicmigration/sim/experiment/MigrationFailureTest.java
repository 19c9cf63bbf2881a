package org.sonicmigration.sim.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sonicmigration.engine.MigrationException;
import org.sonicmigration.engine.MigrationListener;
import org.sonicmigration.engine.MigrationOptions;
import org.sonicmigration.engine.Outcome;
import org.sonicmigration.engine.PreCopyEngine;
import org.sonicmigration.receiver.MigrationServer;
import org.sonicmigration.receiver.Receiver;
import org.sonicmigration.sim.SimHypervisor;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.sim.workload.WorkloadSpec;
import org.sonicmigration.spi.Clock;
import org.sonicmigration.spi.DomainRef;
import org.sonicmigration.spi.RunState;
import org.sonicmigration.spi.SourceDomain;
import org.sonicmigration.stream.StreamLimits;
import org.sonicmigration.transport.SocketDestination;

/**
 * A damaged stream or a dead link must never cost the guest: the receiver refuses with a specific
 * reason, builds nothing, and the source guest runs on with its dirty log off.
 */
class MigrationFailureTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    /** STATIC_DATA_END (type 0x10, empty body) immediately followed by the first PAGE_DATA record's type. */
    private static final byte[] STATIC_DATA_END = {0x10, 0, 0, 0, 0, 0, 0, 0, 0x01, 0, 0, 0};
    private static final byte[] XENF = {0x58, 0x45, 0x4E, 0x46};

    private SimHypervisor sourceHost;
    private SimHypervisor destinationHost;
    private SimGuest guest;
    private MigrationServer server;
    private CompletableFuture<MigrationServer.Result> received;

    @BeforeEach
    void start() throws IOException {
        sourceHost = new SimHypervisor("source");
        destinationHost = new SimHypervisor("destination");
        guest = sourceHost.createGuest(GuestConfig.linux61("victim", 64L << 20).withSeed(7)
                .withWorkloads(WorkloadSpec.randomWriter(8L << 20, 2000)));
        server = new MigrationServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), TIMEOUT);
        received = CompletableFuture.supplyAsync(() -> {
            try {
                return server.receiveOne(new Receiver(destinationHost, StreamLimits.defaults(), null), TIMEOUT);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        sourceHost.close();
        destinationHost.close();
    }

    private MigrationException migrateThrough(FaultyLink.Fault fault) throws IOException {
        try (FaultyLink link = new FaultyLink(server.port(), fault);
             SourceDomain domain = sourceHost.openSource(new DomainRef.ByName("victim"));
             SocketDestination dest = new SocketDestination(
                     new InetSocketAddress(InetAddress.getLoopbackAddress(), link.port()), TIMEOUT)) {
            PreCopyEngine engine = new PreCopyEngine(MigrationOptions.defaults(), Clock.SYSTEM, MigrationListener.NONE);
            return org.junit.jupiter.api.Assertions.assertThrows(MigrationException.class,
                    () -> engine.migrate(domain, "sim", dest));
        }
    }

    private MigrationServer.Result receiverOutcome() throws Exception {
        return received.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    private void assertSourceRunsOnWithLogOff(MigrationException e) {
        assertThat(e.report().outcome()).isEqualTo(Outcome.DESTINATION_FAILED);
        assertThat(guest.state()).isEqualTo(RunState.RUNNING);
        assertThat(e.getMessage()).contains("the source guest is running");
        // Log-dirty was turned off: it can be turned on again by the next attempt.
        try (SourceDomain again = sourceHost.openSource(new DomainRef.ByName("victim"))) {
            again.enableDirtyLog().close();
        }
        assertThat(destinationHost.targets()).isEmpty();
    }

    @Test
    void aGuestItsAdministratorPausedIsFoundPausedAfterTheFailedMigration() throws Exception {
        guest.pause();
        MigrationException e;
        try (SourceDomain domain = sourceHost.openSource(new DomainRef.ByName("victim"));
             SocketDestination dest = new SocketDestination(
                     new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), TIMEOUT)) {
            PreCopyEngine engine = new PreCopyEngine(MigrationOptions.defaults(), Clock.SYSTEM, MigrationListener.NONE);
            e = org.junit.jupiter.api.Assertions.assertThrows(MigrationException.class,
                    () -> engine.migrate(domain, "sim", dest));
        }
        // A paused guest cannot answer the suspend request; the rollback must not unpause it either.
        assertThat(e.getMessage()).contains("paused and cannot answer a suspend request")
                .contains("the source guest is paused, as it was before");
        assertThat(e.report().outcome()).isEqualTo(Outcome.FAILED_SOURCE_RESUMED);
        assertThat(guest.state()).isEqualTo(RunState.PAUSED);
        assertThat(receiverOutcome().started()).isFalse();
        assertThat(destinationHost.targets()).isEmpty();
    }

    @Test
    void aTruncatedStreamIsRefusedAsTruncated() throws Exception {
        MigrationException e = migrateThrough(new FaultyLink.Fault.Truncate(3_000_000));
        assertThat(e.getMessage()).contains("peer refused").contains("stream truncated at offset");
        assertThat(receiverOutcome().error()).contains("stream truncated at offset");
        assertSourceRunsOnWithLogOff(e);
    }

    @Test
    void aWrongImageHeaderIsRefusedAsSuch() throws Exception {
        MigrationException e = migrateThrough(new FaultyLink.Fault.Rewrite(8192, head -> {
            int id = FaultyLink.indexOf(head, XENF, 0);
            head[id + 7] = 9; // image version 3 -> 9 (big-endian u32 after the id)
            return head;
        }));
        assertThat(e.getMessage()).contains("libxc image header").contains("unsupported version 9");
        assertThat(receiverOutcome().error()).contains("unsupported version 9");
        assertSourceRunsOnWithLogOff(e);
    }

    @Test
    void aPageDataCountThatDisagreesWithItsLengthIsRefused() throws Exception {
        MigrationException e = migrateThrough(new FaultyLink.Fault.Rewrite(16384, head -> {
            int end = FaultyLink.indexOf(head, STATIC_DATA_END, FaultyLink.indexOf(head, XENF, 0));
            int count = end + STATIC_DATA_END.length + 4; // PAGE_DATA: type u32, length u32, count u32
            java.nio.ByteBuffer le = java.nio.ByteBuffer.wrap(head).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            le.putInt(count, le.getInt(count) - 1); // one entry fewer claimed than the body holds
            return head;
        }));
        assertThat(e.getMessage()).contains("PAGE_DATA").contains("disagrees with body length");
        assertThat(receiverOutcome().error()).contains("disagrees with body length");
        assertSourceRunsOnWithLogOff(e);
    }

    @Test
    void aLinkKilledMidStreamLeavesTheSourceRunning() throws Exception {
        MigrationException e = migrateThrough(new FaultyLink.Fault.Kill(5_000_000));
        assertThat(receiverOutcome().started()).isFalse();
        assertSourceRunsOnWithLogOff(e);
    }

    @Test
    void aReceiverThatNeverAnswersIsADeadPeer() throws Exception {
        server.close();
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             SourceDomain domain = sourceHost.openSource(new DomainRef.ByName("victim"));
             SocketDestination dest = new SocketDestination(
                     new InetSocketAddress(InetAddress.getLoopbackAddress(), silent.getLocalPort()), Duration.ofSeconds(1))) {
            PreCopyEngine engine = new PreCopyEngine(MigrationOptions.defaults(), Clock.SYSTEM, MigrationListener.NONE);
            assertThatThrownBy(() -> engine.migrate(domain, "sim", dest))
                    .isInstanceOf(MigrationException.class)
                    .hasMessageContaining("no answer from tcp://");
        }
        assertThat(guest.state()).isEqualTo(RunState.RUNNING);
    }
}
