package org.sonicmigration.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.sonicmigration.spi.Backend;
import org.sonicmigration.spi.Hypervisor;
import org.sonicmigration.receiver.MigrationServer;
import org.sonicmigration.receiver.NameClash;
import org.sonicmigration.receiver.Receiver;
import org.sonicmigration.stream.StreamLimits;
import org.sonicmigration.transport.Compression;
import org.sonicmigration.transport.LinkSecurity;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sonic receive --listen [HOST:]PORT}: waits for one incoming migration, builds the domain
 * on this host's backend and starts it once the source has let go. It listens on loopback unless given
 * an address, and on any other address only with TLS or an explicit {@code --insecure}.
 */
@Command(name = "receive", footer = {"", "Examples:", "  sonic receive --listen 8002                  (loopback only)",
        "  sonic receive --listen 10.0.0.2:8002 --tls-keystore dest.p12 --tls-truststore ca.p12 \\",
        "      --tls-password-file /root/.sonic-tls-password",
        "  sonic receive --listen 10.0.0.2:8002 --insecure --accept-timeout 30m"},
        mixinStandardHelpOptions = true, description = "Receive one migration on [HOST:]PORT (loopback, 127.0.0.1, unless"
        + " HOST is given) and start the guest here.")
final class ReceiveCommand implements Callable<Integer> {
    @Option(names = "--listen", required = true, paramLabel = "[HOST:]PORT",
            description = "Where to listen: PORT or :PORT listen on 127.0.0.1 only; HOST:PORT (e.g. 10.0.0.2:8002,"
                    + " 0.0.0.0:8002) elsewhere, which needs TLS or --insecure.")
    String listen;

    @Option(names = "--accept-timeout", paramLabel = "DURATION", defaultValue = "10m", converter = Durations.class,
            description = "How long to wait for the source, e.g. 90s, 10m (default: ${DEFAULT-VALUE}).")
    Duration acceptTimeout;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s", converter = Durations.class,
            description = "How long the source may stay silent mid-stream (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--replace", description = "If a domain with the incoming guest's name exists here, receive the"
            + " guest as NAME--incoming and replace the existing domain (destroy it, rename the new one) only once the"
            + " whole stream has arrived and the source has let go. Without it such a stream is refused before any page.")
    boolean replace;

    @Option(names = "--compress", paramLabel = "lz4|zstd", converter = CompressionConverter.class,
            description = "Also take a stream the source compresses with lz4 or zstd (its --compress); without it such a"
                    + " stream is refused. Uncompressed streams are always taken.")
    Compression compress;

    @Mixin
    BackendOption backend;

    @Mixin
    LinkOptions link;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var address = Addresses.listen(listen, spec.commandLine());
        Durations.positive(acceptTimeout, "--accept-timeout", spec.commandLine());
        Durations.positive(timeout, "--timeout", spec.commandLine());
        LinkSecurity security = link.security(address, LinkOptions.Side.RECEIVER, spec.commandLine());
        Backend b = backend.select();
        PrintWriter out = spec.commandLine().getOut();
        try (Hypervisor hv = b.open();
             MigrationServer server = new MigrationServer(address, timeout, security)) {
            out.printf("listening on %s:%d, %s (backend %s)%n", server.address().getAddress().getHostAddress(), server.port(),
                    security.authenticated() ? "TLS 1.3, sources need a certificate from the truststore's CA"
                            : "plaintext", b.name());
            out.flush();
            var result = server.receiveOne(new Receiver(hv, StreamLimits.defaults(), null,
                    replace ? NameClash.REPLACE : NameClash.REFUSE).accepting(compress == null ? Compression.NONE : compress),
                    acceptTimeout);
            if (!result.started()) {
                throw new Errors.UserException("migration not received: " + result.error());
            }
            var r = result.received();
            out.printf("received %s: %d pages with data, %d allocated without data, %s in %s; guest started%n",
                    r.domain().info().name(), r.pagesWithData(), r.pagesAllocated(), Sizes.format(r.bytes()),
                    ReportOptions.seconds(r.nanos()));
            return 0;
        }
    }
}
