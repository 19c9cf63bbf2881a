package org.sonicmigration.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.sonicmigration.engine.MigrationOptions;
import org.sonicmigration.engine.MigrationPlan;
import org.sonicmigration.engine.MigrationPlanner;
import org.sonicmigration.engine.MigrationReport;
import org.sonicmigration.engine.SoftPolicy;
import org.sonicmigration.sim.SimBackend;
import org.sonicmigration.sim.SimHypervisor;
import org.sonicmigration.sim.experiment.SimulatedMigration;
import org.sonicmigration.spi.Backend;
import org.sonicmigration.spi.Clock;
import org.sonicmigration.spi.DomainRef;
import org.sonicmigration.spi.Hypervisor;
import org.sonicmigration.spi.SourceDomain;
import org.sonicmigration.transport.Bandwidth;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sonic plan DOMAIN}: how long a migration of a running guest would take and what it would send,
 * with and without soft pages skipped, from its live hint and a few seconds of its dirty log, without
 * migrating it. On the simulator {@code --compare} migrates the guest right after and shows the
 * prediction's error.
 */
@Command(name = "plan", mixinStandardHelpOptions = true, footer = {"", "Examples:",
        "  sonic plan mydomain --sample 5s --bandwidth 10Gbit",
        "  sonic plan sim-guest --memory 512M --workload cache:256 --workload writer:2000:8 --virtual-time --compare"},
        description = "Predict a migration of DOMAIN (pages, bytes, time) with and without soft-page skipping,"
                + " from its live hint and its dirty rate, without migrating it.")
final class PlanCommand implements Callable<Integer> {
    static final Bandwidth DEFAULT_BANDWIDTH = Bandwidth.parse("1Gbit");

    @Parameters(index = "0", paramLabel = "DOMAIN", description = "Domain id or name (on the simulator: its --name).")
    String domain;

    @Option(names = "--sample", paramLabel = "DURATION", defaultValue = "3s", converter = Durations.class,
            description = "How long to watch the dirty log (log-dirty is on only this long), e.g. 3s, 500ms"
                    + " (default: ${DEFAULT-VALUE}).")
    Duration sample;

    @Option(names = "--compare", description = "Simulator only: migrate the guest right after the plan and show the"
            + " prediction's error.")
    boolean compare;

    @Option(names = "--virtual-time", description = "Simulator only: the guest's time passes only when the sample"
            + " (and with --compare the capped link) takes it: repeatable, and seconds instead of minutes.")
    boolean virtualTime;

    @Mixin
    BackendOption backend;

    @Mixin
    GuestOptions guest;

    @Mixin
    EngineOptions engine;

    @Mixin
    OutputOptions output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Started with the command, so that the plan's "elapsed" counts from there. */
    private JsonEvents events;

    /** A plan, and on the simulator with --compare the migration that followed it. */
    record Outcome(MigrationPlan plan, Optional<MigrationReport> measured) {}

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        events = new JsonEvents(cl.getOut(), output.quiet);
        Durations.positive(sample, "--sample", cl);
        Bandwidth bandwidth = engine.bandwidth == null ? DEFAULT_BANDWIDTH : engine.bandwidth;
        MigrationOptions options = engine.toOptions().withBandwidth(Optional.of(bandwidth));
        Backend b = backend.select();
        Outcome outcome;
        if (b.name().equals(SimBackend.NAME)) {
            outcome = onSimulator(options, bandwidth);
        } else {
            if (compare || virtualTime) {
                throw new CommandLine.ParameterException(cl, "--compare and --virtual-time work on the simulator only");
            }
            MigrationPlanner planner = new MigrationPlanner(options, bandwidth, Clock.SYSTEM);
            try (Hypervisor hv = b.open(); SourceDomain source = hv.openSource(DomainRef.parse(domain))) {
                outcome = new Outcome(planner.plan(source, sample), Optional.empty());
            }
        }
        print(cl.getOut(), outcome, engine.bandwidth == null);
        return 0;
    }

    private Outcome onSimulator(MigrationOptions options, Bandwidth bandwidth) throws Exception {
        Workloads.Plan plan = Workloads.parse(guest.workloads, !virtualTime);
        var setup = new SimulatedMigration.Setup(guest.config(), plan.prepare(), plan.during(), options, virtualTime);
        MigrationPlan[] planned = new MigrationPlan[1];
        SimulatedMigration.GuestUse<MigrationPlan> planIt = (host, g, clock) -> planned[0] = planOn(host, clock, options,
                bandwidth);
        if (!compare) {
            return new Outcome(SimulatedMigration.withPreparedGuest(setup, planIt), Optional.empty());
        }
        SimulatedMigration.Result result = SimulatedMigration.run(setup, EventSink.SILENT, planIt);
        if (!result.passed()) {
            throw new Errors.UserException("the migration after the plan failed: " + result.report().error());
        }
        return new Outcome(planned[0], Optional.of(result.report()));
    }

    private MigrationPlan planOn(SimHypervisor host, Clock clock, MigrationOptions options, Bandwidth bandwidth)
            throws InterruptedException {
        try (SourceDomain source = host.openSource(DomainRef.parse(domain))) {
            return new MigrationPlanner(options, bandwidth, clock).plan(source, sample);
        }
    }

    private void print(PrintWriter out, Outcome o, boolean bandwidthAssumed) {
        MigrationPlan p = o.plan();
        if (output.json) {
            ObjectNode n = events.event("plan");
            n.setAll((ObjectNode) PrettyJson.MAPPER.valueToTree(p));
            o.measured().ifPresent(m -> n.set("measured", PrettyJson.MAPPER.valueToTree(measured(p, m))));
            events.emit(n);
            return;
        }
        if (output.quiet) {
            return;
        }
        out.printf(Locale.ROOT, "plan for %s: %,d pages (%s) of guest memory, dirty log watched for %s%n", p.domain(),
                p.guestPages(), Sizes.format(p.guestPages() * 4096), ReportOptions.seconds(p.sampleNanos()));
        out.printf(Locale.ROOT, "  dirty rate %,.0f pages/s over a hot set of %,d pages; %s%n", p.dirtyRate(),
                p.hotSetPages(), p.hint());
        out.printf(Locale.ROOT, "  at %s%s:%n", p.bandwidth(), bandwidthAssumed ? " (assumed; set --bandwidth)" : "");
        out.printf(Locale.ROOT, "    %-16s %12s %10s %10s %10s %10s %6s%n", "", "pages sent", "no data", "MiB", "time",
                "downtime", "passes");
        row(out, "plain pre-copy", p.plain());
        row(out, "SonicMigration", p.soft());
        double saved = p.plain().nanos() == 0 ? 0 : 100.0 * (1 - (double) p.soft().nanos() / p.plain().nanos());
        out.printf(Locale.ROOT, "  skipping soft pages: %.1f%% less time, %,d fewer pages%n", saved,
                p.plain().pagesWithData() - p.soft().pagesWithData());
        for (String note : p.notes()) {
            out.println("  note: " + note);
        }
        o.measured().ifPresent(m -> {
            Measured c = measured(p, m);
            out.printf(Locale.ROOT, "  the migration that followed (%s): %,d pages sent, %s; prediction error:"
                            + " pages %+.1f%%, time %+.1f%%%n", c.policy(), c.pagesSent(),
                    ReportOptions.seconds(c.nanos()), c.pagesErrorPercent(), c.timeErrorPercent());
        });
        out.flush();
    }

    /** The migration that followed a plan, against the plan's prediction for its policy. */
    record Measured(String policy, long pagesSent, long bytes, long nanos, double pagesErrorPercent,
                    double timeErrorPercent) {}

    static Measured measured(MigrationPlan p, MigrationReport m) {
        boolean skipping = m.soft() != null && m.soft().policy() != SoftPolicy.OFF;
        MigrationPlan.Prediction predicted = skipping ? p.soft() : p.plain();
        return new Measured(skipping ? "SonicMigration" : "plain pre-copy", m.pagesSent(), m.bytes(), m.totalNanos(),
                error(predicted.pagesWithData(), m.pagesSent()), error(predicted.nanos(), m.totalNanos()));
    }

    private static double error(double predicted, double measured) {
        return measured == 0 ? 0 : 100.0 * (predicted - measured) / measured;
    }

    private static void row(PrintWriter out, String label, MigrationPlan.Prediction p) {
        out.printf(Locale.ROOT, "    %-16s %,12d %,10d %10.1f %10s %10s %6d%n", label, p.pagesWithData(), p.pagesNoData(),
                p.bytes() / 1048576.0, ReportOptions.seconds(p.nanos()), ReportOptions.millis(p.downtimeNanos()),
                p.livePasses());
    }
}
