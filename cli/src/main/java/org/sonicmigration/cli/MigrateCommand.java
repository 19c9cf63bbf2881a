package org.sonicmigration.cli;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.sonicmigration.spi.Backend;
import org.sonicmigration.spi.DomainRef;
import org.sonicmigration.spi.Hypervisor;
import org.sonicmigration.spi.SourceDomain;
import org.sonicmigration.spi.Clock;
import org.sonicmigration.engine.MigrationControl;
import org.sonicmigration.engine.MigrationException;
import org.sonicmigration.engine.MigrationReport;
import org.sonicmigration.engine.PreCopyEngine;
import org.sonicmigration.transport.ProcessDestination;
import org.sonicmigration.transport.SocketDestination;
import org.sonicmigration.transport.StreamDestination;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code sonic migrate DOMAIN HOST:PORT}: live-migrates a running domain of this host to a receiver
 * ({@code sonic receive}, or anything speaking xl's migration handshake over TCP). With
 * {@code --exec CMD} instead of {@code HOST:PORT} the receiver is a command whose standard input and
 * output carry the stream and the handshake, as with {@code xl migrate -s}: e.g.
 * {@code --exec "xl migrate-receive"} on this host or {@code --exec "ssh HOST xl migrate-receive"}.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true, description = "Live-migrate a domain to a receiver"
        + " (sonic receive) at HOST:PORT, or to a receiver command (--exec, e.g. 'xl migrate-receive').")
final class MigrateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DOMAIN", description = "Domain id or name.")
    String domain;

    @Parameters(index = "1", arity = "0..1", paramLabel = "HOST:PORT", description = "Where 'sonic receive' listens.")
    String target;

    @CommandLine.Option(names = "--exec", paramLabel = "CMD", description = "Run CMD (with /bin/sh -c) as the receiver"
            + " and speak xl's migration protocol over its stdin/stdout, e.g. 'xl migrate-receive' or"
            + " 'ssh HOST xl migrate-receive'. Instead of HOST:PORT.")
    String exec;

    @Mixin
    BackendOption backend;

    @Mixin
    EngineOptions engine;

    @Mixin
    ReportOptions report;

    @CommandLine.Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long the receiver may stay silent or stop reading (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        StreamDestination receiver = destination();
        var options = engine.toOptions();
        Backend b = backend.select();
        try (Hypervisor hv = b.open(); SourceDomain source = hv.openSource(DomainRef.parse(domain));
             var destination = receiver;
             var progress = report.progress()) {
            PreCopyEngine engineRun = new PreCopyEngine(options, Clock.SYSTEM, progress);
            MigrationReport result;
            MigrationControl control = new MigrationControl();
            try (SignalStop signals = SignalStop.install(control, spec.commandLine().getErr())) {
                try {
                    result = engineRun.migrate(source, b.name(), destination, control);
                } catch (MigrationException e) {
                    report.print(spec.commandLine().getOut(), e.report(), null);
                    throw Errors.migrationFailed(e, signals);
                }
            }
            // The destination runs the guest now: the source copy goes, as with xl migrate.
            source.destroy();
            report.print(spec.commandLine().getOut(), result, null);
            return 0;
        }
    }

    /** The receiver: HOST:PORT or --exec, exactly one of them. */
    private StreamDestination destination() {
        CommandLine cl = spec.commandLine();
        if (timeoutSeconds <= 0) {
            throw new CommandLine.ParameterException(cl, "--connect-timeout must be positive, got " + timeoutSeconds);
        }
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        if (exec != null && target != null) {
            throw new CommandLine.ParameterException(cl, "give either HOST:PORT or --exec, not both");
        }
        if (exec != null) {
            if (exec.isBlank()) {
                throw new CommandLine.ParameterException(cl, "--exec needs a command, e.g. 'xl migrate-receive'");
            }
            return new ProcessDestination(exec, timeout);
        }
        if (target == null) {
            throw new CommandLine.ParameterException(cl, "missing the receiver: HOST:PORT or --exec CMD");
        }
        InetSocketAddress address = Addresses.parse(target, cl);
        return new SocketDestination(address, timeout);
    }
}
