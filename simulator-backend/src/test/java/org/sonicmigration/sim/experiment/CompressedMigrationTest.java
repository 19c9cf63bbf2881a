package org.sonicmigration.sim.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.sonicmigration.engine.MigrationException;
import org.sonicmigration.engine.MigrationListener;
import org.sonicmigration.engine.MigrationOptions;
import org.sonicmigration.engine.Outcome;
import org.sonicmigration.engine.PreCopyEngine;
import org.sonicmigration.engine.SoftPolicy;
import org.sonicmigration.receiver.MigrationServer;
import org.sonicmigration.receiver.Receiver;
import org.sonicmigration.sim.SimHypervisor;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.sim.kernel.PageStoreMode;
import org.sonicmigration.sim.workload.WorkloadSpec;
import org.sonicmigration.spi.Clock;
import org.sonicmigration.spi.DomainRef;
import org.sonicmigration.spi.RunState;
import org.sonicmigration.spi.SourceDomain;
import org.sonicmigration.stream.StreamLimits;
import org.sonicmigration.transport.Compression;
import org.sonicmigration.transport.SocketDestination;

/**
 * A compressed stream ({@code sonic migrate --compress}) arrives whole, page for page, with fewer bytes on
 * the wire; a compressed stream that was damaged on the way, or that reaches a receiver not started to take
 * it, is refused with its reason and the source guest runs on.
 */
class CompressedMigrationTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Test
    void compressedMigrationsArriveVerifiedWithFewerBytesOnTheWire() throws Exception {
        for (Compression c : List.of(Compression.LZ4, Compression.ZSTD)) {
            // Real bytes with zero-filled free memory and a page cache: what a guest looks like, and compressible.
            var setup = new SimulatedMigration.Setup(GuestConfig.linux61("packed", 64L << 20)
                    .withStoreMode(PageStoreMode.REAL).withSeed(3), List.of(WorkloadSpec.fillCache(16L << 20)),
                    List.of(WorkloadSpec.randomWriter(8L << 20, 2000)), MigrationOptions.defaults().withSoft(SoftPolicy.OFF),
                    false);
            SimulatedMigration.Result r = SimulatedMigration.run(setup, MigrationListener.NONE, new FrameMeter(), c);
            assertThat(r.passed()).as("%s: verified", c).isTrue();
            assertThat(r.wireBytes()).as("%s: wire bytes against stream bytes %d", c, r.report().bytes())
                    .isPositive().isLessThan(r.report().bytes());
        }
    }

    @Test
    void aCorruptedCompressedStreamIsRefusedAndTheSourceGuestRunsOn() throws Exception {
        Outcome outcome = migrate(Compression.ZSTD, Compression.ZSTD, new FaultyLink.Fault.Rewrite(64 * 1024, head -> {
            // A bit flipped inside the first block's compressed bytes (after the magic and its 12-byte header).
            head[8 + 12 + 2000] ^= 0x10;
            return head;
        }), "zstd-compressed stream at offset 8: ");
        assertThat(outcome).isEqualTo(Outcome.DESTINATION_FAILED);
    }

    @Test
    void aReceiverNotStartedToTakeTheCompressionRefusesInOneLine() throws Exception {
        Outcome outcome = migrate(Compression.LZ4, Compression.NONE, null,
                "the source compresses its stream with lz4 (sonic migrate --compress lz4) and this receiver was not"
                        + " started with --compress lz4");
        assertThat(outcome).isEqualTo(Outcome.DESTINATION_FAILED);
    }

    /** Migrates a running guest with {@code sent} to a receiver taking {@code taken}; returns the failed outcome. */
    private static Outcome migrate(Compression sent, Compression taken, FaultyLink.Fault fault, String reason)
            throws Exception {
        try (SimHypervisor sourceHost = new SimHypervisor("source");
             SimHypervisor destinationHost = new SimHypervisor("destination");
             MigrationServer server = new MigrationServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                     TIMEOUT)) {
            SimGuest guest = sourceHost.createGuest(GuestConfig.linux61("victim", 64L << 20).withSeed(7)
                    .withWorkloads(WorkloadSpec.randomWriter(8L << 20, 2000)));
            CompletableFuture<MigrationServer.Result> received = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.receiveOne(new Receiver(destinationHost, StreamLimits.defaults(), null)
                            .accepting(taken), TIMEOUT);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            MigrationException e;
            try (FaultyLink link = new FaultyLink(server.port(), fault == null ? new FaultyLink.Fault.Rewrite(0, h -> h)
                    : fault);
                 SourceDomain domain = sourceHost.openSource(new DomainRef.ByName("victim"));
                 SocketDestination dest = new SocketDestination(
                         new InetSocketAddress(InetAddress.getLoopbackAddress(), link.port()), TIMEOUT)) {
                dest.compress(sent);
                PreCopyEngine engine = new PreCopyEngine(MigrationOptions.defaults(), Clock.SYSTEM, MigrationListener.NONE);
                e = org.junit.jupiter.api.Assertions.assertThrows(MigrationException.class,
                        () -> engine.migrate(domain, "sim", dest));
            }
            MigrationServer.Result r = received.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertThat(r.started()).isFalse();
            assertThat(r.error()).contains(reason).doesNotContain("\n");
            assertThat(e.getMessage()).contains("peer refused").contains(reason).contains("the source guest is running");
            assertThat(guest.state()).isEqualTo(RunState.RUNNING);
            assertThat(destinationHost.targets()).isEmpty();
            return e.report().outcome();
        }
    }
}
