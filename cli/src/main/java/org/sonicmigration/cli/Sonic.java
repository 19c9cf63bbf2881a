package org.sonicmigration.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code sonic} command: live migration of Xen guests that skips soft pages, and a simulator to
 * try it anywhere. This class wires the subcommands and the error policy: user errors are one line
 * and a non-zero exit; stack traces only with {@code --debug}.
 */
@Command(name = "sonic", mixinStandardHelpOptions = true, versionProvider = Sonic.Version.class,
        description = "SonicMigration: Xen live migration that does not send a guest's soft pages.",
        subcommands = {BackendsCommand.class, SimulateCommand.class, SaveCommand.class, RestoreCommand.class,
                MigrateCommand.class, ReceiveCommand.class, ExperimentCommand.class, HintsCommand.class,
                CommandLine.HelpCommand.class})
public final class Sonic implements Runnable {

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Show stack traces and debug logs.")
    void setDebug(boolean debug) {
        Logging.debug(debug);
        this.debug = debug;
    }

    boolean debug;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (try 'sonic --help')");
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given outputs; returns the exit code (for tests). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        Logging.init();
        Sonic root = new Sonic();
        CommandLine cl = new CommandLine(root);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler(new Errors.ExecutionHandler(root));
        cl.setParameterExceptionHandler(new Errors.ParameterHandler());
        listExitCodes(cl);
        return cl.execute(args);
    }

    /** Every command's help ends with the same exit codes, including commands added later. */
    private static void listExitCodes(CommandLine cl) {
        cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(ExitCode.helpList());
        cl.getSubcommands().values().forEach(Sonic::listExitCodes);
    }

    /** Reads the version from the jar manifest, falling back to the build's. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Sonic.class.getPackage().getImplementationVersion();
            return new String[] {"sonic " + (v == null ? "development build" : v)};
        }
    }
}
