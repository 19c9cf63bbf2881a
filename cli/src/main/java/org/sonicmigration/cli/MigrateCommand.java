package org.sonicmigration.cli;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.sonicmigration.bridge.spi.Backend;
import org.sonicmigration.bridge.spi.DomainRef;
import org.sonicmigration.bridge.spi.Hypervisor;
import org.sonicmigration.bridge.spi.SourceDomain;
import org.sonicmigration.migrate.Clock;
import org.sonicmigration.migrate.MigrationException;
import org.sonicmigration.migrate.MigrationReport;
import org.sonicmigration.migrate.PreCopyEngine;
import org.sonicmigration.migrate.SocketDestination;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code sonic migrate DOMAIN HOST:PORT}: live-migrates a running domain of this host to a receiver
 * ({@code sonic receive}, or anything speaking xl's migration handshake over TCP).
 */
@Command(name = "migrate", mixinStandardHelpOptions = true, description = "Live-migrate a domain to a receiver (sonic receive) at HOST:PORT.")
final class MigrateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DOMAIN", description = "Domain id or name.")
    String domain;

    @Parameters(index = "1", paramLabel = "HOST:PORT", description = "Where 'sonic receive' listens.")
    String target;

    @Mixin
    BackendOption backend;

    @Mixin
    EngineOptions engine;

    @Mixin
    ReportOptions report;

    @CommandLine.Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long the receiver may stay silent (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        InetSocketAddress address = Addresses.parse(target, spec.commandLine());
        var options = engine.toOptions();
        Backend b = backend.select();
        try (Hypervisor hv = b.open(); SourceDomain source = hv.openSource(DomainRef.parse(domain));
             var destination = new SocketDestination(address, Duration.ofSeconds(timeoutSeconds));
             var progress = report.progress()) {
            PreCopyEngine engineRun = new PreCopyEngine(options, Clock.SYSTEM, progress);
            MigrationReport result;
            try {
                result = engineRun.migrate(source, b.name(), destination);
            } catch (MigrationException e) {
                report.print(spec.commandLine().getOut(), e.report(), null);
                throw e;
            }
            // The destination runs the guest now: the source copy goes, as with xl migrate.
            source.destroy();
            report.print(spec.commandLine().getOut(), result, null);
            return 0;
        }
    }
}
