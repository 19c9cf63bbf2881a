package org.sonicmigration.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.sonicmigration.bridge.spi.DomainRef;
import org.sonicmigration.migrate.Clock;
import org.sonicmigration.migrate.FileDestination;
import org.sonicmigration.migrate.PreCopyEngine;
import org.sonicmigration.sim.SimGuest;
import org.sonicmigration.sim.SimHypervisor;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sonic save}: suspends a simulated guest and writes it to a stream file in xl's save format,
 * like {@code xl save}, so streams can be inspected and exchanged.
 */
@Command(name = "save", description = "Save a simulated guest to a stream file (xl save format).")
final class SaveCommand implements Callable<Integer> {
    @Mixin
    GuestOptions guest;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "Stream file to write.")
    Path output;

    @Mixin
    ReportOptions report;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Workloads.Plan plan = Workloads.parse(guest.workloads, true);
        try (SimHypervisor host = new SimHypervisor("local")) {
            SimGuest g = host.createGuest(guest.config());
            for (var w : plan.prepare()) {
                g.start(w);
                g.awaitReady(Duration.ofHours(1));
            }
            plan.during().forEach(g::start);
            var options = org.sonicmigration.migrate.MigrationOptions.defaults().withLive(false);
            try (var domain = host.openSource(new DomainRef.ByName(g.name()));
                 var file = new FileDestination(output);
                 var progress = report.progress()) {
                var result = new PreCopyEngine(options, Clock.SYSTEM, progress).migrate(domain, host.backendName(), file);
                report.print(spec.commandLine().getOut(), new RunReport("save", null, result, null));
            }
            g.destroy();
        }
        return 0;
    }
}
