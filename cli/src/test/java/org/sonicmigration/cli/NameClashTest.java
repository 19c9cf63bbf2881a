package org.sonicmigration.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sonicmigration.engine.MigrationException;
import org.sonicmigration.engine.MigrationListener;
import org.sonicmigration.engine.MigrationOptions;
import org.sonicmigration.engine.MigrationReport;
import org.sonicmigration.engine.Outcome;
import org.sonicmigration.engine.PreCopyEngine;
import org.sonicmigration.receiver.MigrationServer;
import org.sonicmigration.receiver.NameClash;
import org.sonicmigration.receiver.ReceiveException;
import org.sonicmigration.receiver.Receiver;
import org.sonicmigration.sim.SimHypervisor;
import org.sonicmigration.sim.SimTargetDomain;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.sim.verify.MigrationVerifier;
import org.sonicmigration.sim.verify.VerificationMode;
import org.sonicmigration.spi.Clock;
import org.sonicmigration.spi.DomainRef;
import org.sonicmigration.spi.RunState;
import org.sonicmigration.spi.SourceDomain;
import org.sonicmigration.stream.StreamLimits;
import org.sonicmigration.transport.FileDestination;
import org.sonicmigration.transport.SocketDestination;

/**
 * A receiver never overwrites a domain by accident: a stream whose domain name is taken here is refused
 * before any page is built, and the domain already here runs on; with {@code --replace} the new copy is
 * built as NAME--incoming and takes the old one's place only once it is complete and the source has let
 * go, so a stream that breaks leaves the old domain as it was.
 */
@Timeout(300)
class NameClashTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private SimHypervisor sourceHost;
    private SimHypervisor destinationHost;
    private SimGuest guest;
    private SimGuest resident;
    private CompletableFuture<MigrationServer.Result> received;

    @BeforeEach
    void start() {
        sourceHost = new SimHypervisor("source");
        destinationHost = new SimHypervisor("destination");
        guest = sourceHost.createGuest(GuestConfig.linux61("victim", 64L << 20).withSeed(7));
        resident = destinationHost.createGuest(GuestConfig.linux61("victim", 96L << 20).withSeed(9));
    }

    @AfterEach
    void stop() {
        sourceHost.close();
        destinationHost.close();
    }

    private MigrationReport migrate(NameClash clash) throws Exception {
        try (MigrationServer server = new MigrationServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                TIMEOUT)) {
            received = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.receiveOne(new Receiver(destinationHost, StreamLimits.defaults(), null, clash), TIMEOUT);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try (SourceDomain domain = sourceHost.openSource(new DomainRef.ByName("victim"));
                 SocketDestination dest = new SocketDestination(
                         new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), TIMEOUT)) {
                return new PreCopyEngine(MigrationOptions.defaults(), Clock.SYSTEM, MigrationListener.NONE)
                        .migrate(domain, "sim", dest);
            } finally {
                received.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aTakenNameIsRefusedBeforeAnyPageAndBothGuestsRunOn() throws Exception {
        MigrationException e = assertThrows(MigrationException.class, () -> migrate(NameClash.REFUSE));
        assertThat(e.report().outcome()).isEqualTo(Outcome.DESTINATION_FAILED);
        assertThat(e.getMessage()).doesNotContain("\n")
                .contains("a domain named 'victim' already exists on this host: remove it, or receive with --replace")
                .contains("the source guest is running");
        assertThat(received.get().error()).startsWith("a domain named 'victim' already exists");
        assertThat(guest.state()).isEqualTo(RunState.RUNNING);
        assertThat(resident.state()).isEqualTo(RunState.RUNNING);
        assertThat(destinationHost.guest("victim")).contains(resident);
        assertThat(destinationHost.targets()).isEmpty();
    }

    @Test
    void replaceSwapsTheDomainsOnlyAtHandover() throws Exception {
        MigrationReport report = migrate(NameClash.REPLACE);
        assertThat(report.outcome()).isEqualTo(Outcome.COMPLETED);
        MigrationServer.Result arrived = received.get();
        assertThat(arrived.started()).as(arrived.error()).isTrue();
        SimTargetDomain target = (SimTargetDomain) arrived.received().domain();
        assertThat(target.name()).isEqualTo("victim");
        assertThat(target.state()).isEqualTo(RunState.RUNNING);
        assertThat(destinationHost.guest("victim")).isEmpty();
        assertThat(resident.state()).isNotEqualTo(RunState.RUNNING);
        assertThat(MigrationVerifier.verify(guest, target, VerificationMode.SOFT).passed()).isTrue();
    }

    @Test
    void replaceLeavesTheExistingDomainAloneWhenTheStreamBreaks(@TempDir Path dir) throws Exception {
        Path saved = dir.resolve("victim.xlsave");
        try (SourceDomain domain = sourceHost.openSource(new DomainRef.ByName("victim"))) {
            new PreCopyEngine(MigrationOptions.defaults(), Clock.SYSTEM, MigrationListener.NONE)
                    .migrate(domain, "sim", new FileDestination(saved));
        }
        byte[] whole = Files.readAllBytes(saved);
        Receiver receiver = new Receiver(destinationHost, StreamLimits.defaults(), null, NameClash.REPLACE);
        try (InputStream half = new java.io.ByteArrayInputStream(whole, 0, whole.length / 2)) {
            assertThatThrownBy(() -> receiver.receive(half)).hasMessageContaining("truncated");
        }
        assertThat(destinationHost.guest("victim")).contains(resident);
        assertThat(resident.state()).isEqualTo(RunState.RUNNING);
        assertThat(destinationHost.targets()).isEmpty();

        try (InputStream all = new java.io.ByteArrayInputStream(whole)) {
            var result = receiver.receive(all);
            assertThat(result.domain().info().name()).isEqualTo("victim--incoming");
            assertThat(resident.state()).as("replaced only at handover").isEqualTo(RunState.RUNNING);
            receiver.takeOver(result);
            assertThat(result.domain().info().name()).isEqualTo("victim");
            assertThat(destinationHost.guest("victim")).isEmpty();
        }
        assertThatThrownBy(() -> new Receiver(destinationHost, StreamLimits.defaults(), null)
                .receive(new java.io.ByteArrayInputStream(whole)))
                .isInstanceOf(ReceiveException.class).hasMessageContaining("a domain named 'victim' already exists");
    }
}
