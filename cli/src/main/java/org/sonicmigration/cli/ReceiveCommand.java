package org.sonicmigration.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.sonicmigration.spi.Backend;
import org.sonicmigration.spi.Hypervisor;
import org.sonicmigration.receiver.MigrationServer;
import org.sonicmigration.receiver.Receiver;
import org.sonicmigration.stream.StreamLimits;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sonic receive --listen [HOST]:PORT}: waits for one incoming migration, builds the domain
 * on this host's backend and starts it once the source has let go.
 */
@Command(name = "receive", footer = {"", "Examples:", "  sonic receive --listen :8002", "  sonic receive --listen 10.0.0.2:8002 --accept-timeout 30m"},
        mixinStandardHelpOptions = true, description = "Receive one migration on [HOST]:PORT and start the guest here.")
final class ReceiveCommand implements Callable<Integer> {
    @Option(names = "--listen", required = true, paramLabel = "[HOST]:PORT", description = "Where to listen.")
    String listen;

    @Option(names = "--accept-timeout", paramLabel = "DURATION", defaultValue = "10m", converter = Durations.class,
            description = "How long to wait for the source, e.g. 90s, 10m (default: ${DEFAULT-VALUE}).")
    Duration acceptTimeout;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s", converter = Durations.class,
            description = "How long the source may stay silent mid-stream (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Mixin
    BackendOption backend;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var address = Addresses.parse(listen, spec.commandLine());
        Durations.positive(acceptTimeout, "--accept-timeout", spec.commandLine());
        Durations.positive(timeout, "--timeout", spec.commandLine());
        Backend b = backend.select();
        PrintWriter out = spec.commandLine().getOut();
        try (Hypervisor hv = b.open();
             MigrationServer server = new MigrationServer(address, timeout)) {
            out.printf("listening on port %d (backend %s)%n", server.port(), b.name());
            out.flush();
            var result = server.receiveOne(new Receiver(hv, StreamLimits.defaults(), null),
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
