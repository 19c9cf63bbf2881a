package org.sonicmigration.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
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
import org.sonicmigration.receiver.Receiver;
import org.sonicmigration.sim.SimHypervisor;
import org.sonicmigration.sim.SimTargetDomain;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.sim.verify.MigrationVerifier;
import org.sonicmigration.sim.verify.VerificationMode;
import org.sonicmigration.sim.workload.WorkloadSpec;
import org.sonicmigration.spi.Clock;
import org.sonicmigration.spi.DomainRef;
import org.sonicmigration.spi.RunState;
import org.sonicmigration.spi.SourceDomain;
import org.sonicmigration.stream.StreamLimits;
import org.sonicmigration.transport.LinkSecurity;
import org.sonicmigration.transport.SocketDestination;

/**
 * The sonic-to-sonic link over TLS 1.3 with mutual authentication, over real loopback sockets with
 * certificates keytool made: the right pair migrates a guest that verifies; a source whose certificate
 * another CA signed, a self-signed source and a self-signed receiver are each refused, the source guest
 * runs on with its dirty log off, and a receiver that refused an impostor still takes the real source.
 */
@Timeout(300)
class TlsLinkTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    @TempDir
    static Path dir;
    static TestPki pki;

    private SimHypervisor sourceHost;
    private SimHypervisor destinationHost;
    private SimGuest guest;

    @BeforeAll
    static void makePki() throws Exception {
        pki = TestPki.sourceAndDestination(dir);
        pki.ca("other-ca");
        pki.host("rogue", "other-ca");
        pki.selfSigned("impostor");
    }

    static LinkSecurity tls(String keystore) {
        return LinkSecurity.MutualTls.fromPkcs12(pki.file(keystore), pki.file("ca-trust"),
                TestPki.PASSWORD.toCharArray());
    }

    @BeforeEach
    void start() {
        sourceHost = new SimHypervisor("source");
        destinationHost = new SimHypervisor("destination");
        guest = sourceHost.createGuest(GuestConfig.linux61("victim", 64L << 20).withSeed(7)
                .withWorkloads(WorkloadSpec.randomWriter(8L << 20, 2000)));
    }

    @AfterEach
    void stop() {
        sourceHost.close();
        destinationHost.close();
    }

    private CompletableFuture<MigrationServer.Result> receive(MigrationServer server, Duration acceptTimeout) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return server.receiveOne(new Receiver(destinationHost, StreamLimits.defaults(), null), acceptTimeout);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private MigrationReport migrate(int port, LinkSecurity security) throws Exception {
        try (SourceDomain domain = sourceHost.openSource(new DomainRef.ByName("victim"));
             SocketDestination dest = new SocketDestination(
                     new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TIMEOUT, security)) {
            return new PreCopyEngine(MigrationOptions.defaults(), Clock.SYSTEM, MigrationListener.NONE)
                    .migrate(domain, "sim", dest);
        }
    }

    private MigrationException refused(int port, LinkSecurity security) {
        MigrationException e = assertThrows(MigrationException.class, () -> migrate(port, security));
        assertThat(e.report().outcome()).isEqualTo(Outcome.DESTINATION_FAILED);
        assertThat(e.getMessage()).contains("the source guest is running").doesNotContain("\n");
        assertThat(guest.state()).isEqualTo(RunState.RUNNING);
        // Log-dirty was turned off: the next attempt can turn it on again.
        try (SourceDomain again = sourceHost.openSource(new DomainRef.ByName("victim"))) {
            again.enableDirtyLog().close();
        }
        assertThat(destinationHost.targets()).isEmpty();
        return e;
    }

    private void migratesAndVerifies(int port, CompletableFuture<MigrationServer.Result> received) throws Exception {
        MigrationReport report = migrate(port, tls("src"));
        assertThat(report.outcome()).isEqualTo(Outcome.COMPLETED);
        MigrationServer.Result arrived = received.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertThat(arrived.started()).as(arrived.error()).isTrue();
        var verdict = MigrationVerifier.verify(guest, (SimTargetDomain) arrived.received().domain(),
                VerificationMode.SOFT);
        assertThat(verdict.passed()).as(verdict.toString()).isTrue();
    }

    @Test
    void theRightPairMigratesAGuestThatVerifies() throws Exception {
        try (MigrationServer server = new MigrationServer(loopback(), TIMEOUT, tls("dest"))) {
            migratesAndVerifies(server.port(), receive(server, TIMEOUT));
        }
    }

    @Test
    void aSourceCertifiedByAnotherCaIsRefusedAndTheRealSourceStillGetsIn() throws Exception {
        try (MigrationServer server = new MigrationServer(loopback(), TIMEOUT, tls("dest"))) {
            var received = receive(server, TIMEOUT);
            MigrationException e = refused(server.port(), tls("rogue"));
            assertThat(e.getMessage()).contains("the receiver refused our certificate");
            migratesAndVerifies(server.port(), received);
        }
    }

    @Test
    void aSelfSignedSourceIsRefused() throws Exception {
        try (MigrationServer server = new MigrationServer(loopback(), TIMEOUT, tls("dest"))) {
            var received = receive(server, TIMEOUT);
            MigrationException e = refused(server.port(), tls("impostor"));
            assertThat(e.getMessage()).contains("the receiver refused our certificate");
            migratesAndVerifies(server.port(), received);
        }
    }

    @Test
    void aSelfSignedReceiverIsRefusedBeforeAnyPageLeaves() throws Exception {
        try (MigrationServer impostor = new MigrationServer(loopback(), TIMEOUT, tls("impostor"))) {
            var received = receive(impostor, Duration.ofSeconds(3));
            MigrationException e = refused(impostor.port(), tls("src"));
            assertThat(e.getMessage()).contains("the receiver's certificate is not signed by a CA in --tls-truststore");
            assertThat(e.report().pagesSent()).isZero();
            assertThatThrownBy(() -> received.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasMessageContaining("no source connected");
        }
    }

    @Test
    void aPlaintextSourceIsToldTheReceiverTakesTlsOnly() throws Exception {
        try (MigrationServer server = new MigrationServer(loopback(), TIMEOUT, tls("dest"))) {
            var received = receive(server, TIMEOUT);
            MigrationException e = refused(server.port(), LinkSecurity.PLAINTEXT);
            assertThat(e.getMessage()).contains("this receiver takes TLS connections only");
            migratesAndVerifies(server.port(), received);
        }
    }

    @Test
    void aTlsSourceIsToldAPlaintextReceiverDoesNotSpeakTls() throws Exception {
        try (MigrationServer server = new MigrationServer(loopback(), TIMEOUT)) {
            receive(server, Duration.ofSeconds(3));
            MigrationException e = refused(server.port(), tls("src"));
            assertThat(e.getMessage()).contains("the receiver does not speak TLS");
        }
    }

    private static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }
}
