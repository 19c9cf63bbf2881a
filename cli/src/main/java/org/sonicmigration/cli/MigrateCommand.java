package org.sonicmigration.cli;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import org.sonicmigration.spi.SourceDomain;
import org.sonicmigration.spi.Clock;
import org.sonicmigration.engine.MigrationControl;
import org.sonicmigration.engine.MigrationException;
import org.sonicmigration.engine.MigrationReport;
import org.sonicmigration.engine.PreCopyEngine;
import org.sonicmigration.transport.Compression;
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
@Command(name = "migrate", footer = {"", "Examples:", "  sonic migrate mydomain desthost:8002 --tls-keystore src.p12 --tls-truststore ca.p12 \\",
        "      --tls-password-file /root/.sonic-tls-password --bandwidth 1Gbit",
        "  sonic migrate mydomain --exec \"ssh desthost sonic migrate-receive\"", "  sonic migrate mydomain --exec \"ssh desthost xl migrate-receive\"", "  sonic migrate sim-guest --exec \"sonic migrate-receive\"  (on the simulator)"},
        mixinStandardHelpOptions = true, description = "Live-migrate a domain to a receiver"
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

    @CommandLine.Option(names = "--compress", paramLabel = "lz4|zstd", converter = CompressionConverter.class,
            description = "Compress the stream (not the handshake) with lz4 or zstd. The receiver must take it: 'sonic"
                    + " receive --compress …', or 'sonic decompress …' before a receiver command. --bandwidth then caps"
                    + " the stream's uncompressed bytes.")
    Compression compress;

    @Mixin
    BackendOption backend;

    @Mixin
    GuestOptions guest;

    @Mixin
    EngineOptions engine;

    @Mixin
    ReportOptions report;

    @Mixin
    LinkOptions link;

    @CommandLine.Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "30s",
            converter = Durations.class,
            description = "How long the receiver may stay silent or stop reading, e.g. 30s, 2m (default: ${DEFAULT-VALUE}).")
    Duration connectTimeout;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        return migrate(destination(), UnaryOperator.identity());
    }

    /**
     * Migrates DOMAIN into {@code receiver}; {@code sonic xl-migrate} comes through here too.
     *
     * @param view how the engine sees the source (e.g. with another toolstack configuration)
     */
    // The progress display is closed before the report is printed, so its last line never lands in the
    // middle of the report; closing it again at the end of the block does nothing.
    @SuppressWarnings("try")
    Integer migrate(StreamDestination receiver, UnaryOperator<SourceDomain> view) throws Exception {
        var options = engine.toOptions();
        try (SourceHost host = SourceHost.open(backend, guest); SourceDomain source = host.openSource(domain);
             var destination = receiver;
             var progress = report.events(spec.commandLine().getOut())) {
            PreCopyEngine engineRun = new PreCopyEngine(options, Clock.SYSTEM, progress);
            MigrationReport result;
            MigrationControl control = new MigrationControl();
            try (SignalStop signals = SignalStop.install(control, spec.commandLine().getErr())) {
                try {
                    result = engineRun.migrate(view.apply(source), host.backendName(), destination, control);
                } catch (MigrationException e) {
                    progress.close();
                    report.print(spec.commandLine().getOut(), new RunReport(spec.name(), null, e.report(), null));
                    throw Errors.migrationFailed(e, signals);
                }
            }
            // The destination runs the guest now: the source copy goes, as with xl migrate.
            source.destroy();
            progress.close();
            report.print(spec.commandLine().getOut(), new RunReport(spec.name(), null, result, null));
            return 0;
        }
    }

    /** The receiver: HOST:PORT or --exec, exactly one of them. */
    private StreamDestination destination() {
        CommandLine cl = spec.commandLine();
        Duration timeout = Durations.positive(connectTimeout, "--connect-timeout", cl);
        if (exec != null && target != null) {
            throw new CommandLine.ParameterException(cl, "give either HOST:PORT or --exec, not both");
        }
        if (exec != null) {
            if (link.keystore != null || link.insecure) {
                throw new CommandLine.ParameterException(cl, "--tls-… and --insecure are for HOST:PORT; with --exec the"
                        + " command's own transport (e.g. ssh) protects the stream");
            }
            if (exec.isBlank()) {
                throw new CommandLine.ParameterException(cl, "--exec needs a command, e.g. 'xl migrate-receive'");
            }
            ProcessDestination process = new ProcessDestination(exec, timeout);
            if (compress != null) {
                process.compress(compress);
            }
            return process;
        }
        if (target == null) {
            throw new CommandLine.ParameterException(cl, "missing the receiver: HOST:PORT or --exec CMD");
        }
        InetSocketAddress address = Addresses.parse(target, cl);
        if (address.isUnresolved()) {
            throw new CommandLine.ParameterException(cl, "cannot resolve host '" + address.getHostString() + "'");
        }
        SocketDestination socket = new SocketDestination(address, timeout, link.security(address, LinkOptions.Side.SENDER, cl));
        if (compress != null) {
            socket.compress(compress);
        }
        return socket;
    }
}
