package org.sonicmigration.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.sonicmigration.spi.Backend;
import org.sonicmigration.spi.DomainRef;
import org.sonicmigration.spi.Hypervisor;
import org.sonicmigration.spi.SourceDomain;
import org.sonicmigration.spi.Clock;
import org.sonicmigration.transport.FileDestination;
import org.sonicmigration.engine.MigrationControl;
import org.sonicmigration.engine.MigrationException;
import org.sonicmigration.engine.MigrationOptions;
import org.sonicmigration.engine.MigrationReport;
import org.sonicmigration.engine.PreCopyEngine;
import org.sonicmigration.engine.SoftPolicy;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.sim.SimHypervisor;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sonic save}: suspends a guest and writes it to a stream file in xl's save format, like
 * {@code xl save}: a running domain of this host ({@code --domain}), or a simulated guest made for
 * the purpose. After a complete save the domain is destroyed, as {@code xl save} does, unless
 * {@code --keep-running} (then it resumes: a checkpoint).
 */
@Command(name = "save", footer = {"", "Examples:", "  sonic save --memory 256M -o guest.xlsave", "  sonic save --domain mydomain -o mydomain.xlsave"},
        mixinStandardHelpOptions = true, description = "Save a domain (--domain) or a simulated guest to a stream file (xl save format).")
final class SaveCommand implements Callable<Integer> {
    @Mixin
    GuestOptions guest;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "Stream file to write.")
    Path output;

    @Option(names = "--domain", paramLabel = "DOMAIN", description = "Save this running domain (id or name) instead"
            + " of a simulated guest.")
    String domain;

    @Option(names = "--keep-running", description = "Resume the domain after saving instead of destroying it.")
    boolean keepRunning;

    @Option(names = "--soft", paramLabel = "POLICY", defaultValue = "free+cache",
            converter = EngineOptions.SoftPolicyConverter.class,
            description = "Soft pages a guest with a hint area may leave out of the save: off, free, free+cache"
                    + " (default: ${DEFAULT-VALUE}).")
    SoftPolicy soft;

    @Option(names = "--handshake-timeout", paramLabel = "DURATION", defaultValue = "2s", converter = Durations.class,
            description = "How long a guest with a hint area may take to give its final soft set before the save,"
                    + " e.g. 500ms, 30s (default: ${DEFAULT-VALUE}).")
    Duration handshakeTimeout;

    @Mixin
    BackendOption backend;

    @Mixin
    ReportOptions report;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        MigrationOptions options = MigrationOptions.defaults().withLive(false).withSoft(soft)
                .withHandshakeTimeout(Durations.positive(handshakeTimeout, "--handshake-timeout"));
        if (domain != null) {
            Backend b = backend.select();
            try (Hypervisor hv = b.open(); SourceDomain source = hv.openSource(DomainRef.parse(domain))) {
                save(source, b.name(), options);
            }
            return 0;
        }
        try (SimHypervisor host = new SimHypervisor("local")) {
            SimGuest g = SourceHost.createGuest(host, guest);
            try (SourceDomain source = host.openSource(new DomainRef.ByName(g.name()))) {
                save(source, host.backendName(), options);
            }
        }
        return 0;
    }

    private void save(SourceDomain source, String backendName, MigrationOptions options) throws Exception {
        MigrationReport result;
        MigrationControl control = new MigrationControl();
        try (var file = new FileDestination(output); var progress = report.events(spec.commandLine().getOut());
             SignalStop signals = SignalStop.install(control, spec.commandLine().getErr())) {
            try {
                result = new PreCopyEngine(options, Clock.SYSTEM, progress).migrate(source, backendName, file, control);
            } catch (MigrationException e) {
                report.print(spec.commandLine().getOut(), new RunReport("save", null, e.report(), null));
                throw Errors.migrationFailed(e, signals);
            }
        }
        if (keepRunning) {
            source.resumeAfterSuspend();
        } else {
            source.destroy();
        }
        report.print(spec.commandLine().getOut(), new RunReport("save", null, result, null));
    }
}
