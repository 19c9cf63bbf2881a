package org.sonicmigration.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sonicmigration.engine.MigrationControl;
import org.sonicmigration.sim.experiment.SimulatedMigration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sonic simulate}: a whole migration on the simulator — two hosts in this process, the real
 * engine and receiver over loopback TCP — then a page-by-page check of the destination.
 */
@Command(name = "simulate", footer = {"", "Examples:", "  sonic simulate --memory 256M --workload cache:128 --workload writer:20000 --bandwidth 1Gbit", "  sonic simulate --memory 2G --workload cache:2048 --virtual-time --bandwidth 1Gbit --json", "  sonic simulate --memory 256M --workload cache:128 --soft off"},
        mixinStandardHelpOptions = true, description = "Migrate a simulated guest end to end over loopback and verify it.")
final class SimulateCommand implements Callable<Integer> {
    @Mixin
    GuestOptions guest;

    @Mixin
    EngineOptions engine;

    @Mixin
    ReportOptions report;

    @Option(names = "--virtual-time", description = "Model time instead of spending it: only the capped link's"
            + " transfer time passes (needs --bandwidth). Runs in seconds and repeatably.")
    boolean virtualTime;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (virtualTime && engine.bandwidth == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--virtual-time needs --bandwidth");
        }
        var options = engine.toOptions();
        Workloads.Plan plan = Workloads.parse(guest.workloads, !virtualTime);
        var setup = new SimulatedMigration.Setup(guest.config(), plan.prepare(), plan.during(), options, virtualTime);
        SimulatedMigration.Result result;
        MigrationControl control = new MigrationControl();
        ExitCode interrupted;
        try (var progress = report.events(spec.commandLine().getOut());
             SignalStop signals = SignalStop.install(control, spec.commandLine().getErr())) {
            result = SimulatedMigration.run(setup, progress, control);
            interrupted = ExitCode.of(result.report().outcome(), signals.received());
        }
        Verification v = result.verification().map(Verification::of).orElse(null);
        Map<String, Object> setupView = new LinkedHashMap<>();
        setupView.put("memoryBytes", guest.memory);
        setupView.put("workloads", guest.workloads);
        setupView.put("seed", guest.seed);
        setupView.put("bandwidthBytesPerSecond", engine.bandwidth == null ? null : engine.bandwidth.bytesPerSecond());
        setupView.put("maxIterations", options.maxIterations());
        setupView.put("dirtyThreshold", options.dirtyThreshold());
        setupView.put("virtualTime", virtualTime);
        report.print(spec.commandLine().getOut(), new RunReport("simulate", setupView, result.report(), v));
        if (!result.report().completed()) {
            // As sonic migrate: the failure's one line on stderr, whatever the report's format and verbosity.
            throw new Errors.UserException(result.report().error(), interrupted, null);
        }
        return (result.passed() ? ExitCode.SUCCESS : ExitCode.VERIFICATION_FAILED).code;
    }
}
