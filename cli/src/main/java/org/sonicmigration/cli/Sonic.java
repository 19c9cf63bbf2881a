package org.sonicmigration.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.sonicmigration.ffi.support.XenLibrary;
import org.sonicmigration.spi.ThreadDeaths;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code sonic} command: live migration of Xen guests that skips soft pages, and a simulator to
 * try it anywhere. This class wires the subcommands and the error policy: user errors are one line
 * and a non-zero exit; stack traces only with {@code --debug}.
 */
@Command(name = "sonic", footer = {"", "Examples:", "  sonic simulate --memory 256M --workload cache:128 --bandwidth 1Gbit", "  sonic plan sim-guest --memory 512M --workload cache:256 --sample 3s", "  sonic migrate mydomain desthost:8002", "  sonic xl-migrate mydomain desthost"},
        mixinStandardHelpOptions = true, versionProvider = Sonic.Version.class,
        description = "SonicMigration: Xen live migration that does not send a guest's soft pages.")
public final class Sonic implements Runnable {

    /**
     * The subcommands, in the order the help lists them. They are added by {@link #commandLine} rather
     * than named in the annotation so that a run builds only the command it runs: picocli reflects over
     * every option of every command it is given, which was most of a JVM's start (0.6 s here, over ten
     * seconds in the lab's emulated dom0).
     */
    static final List<Class<?>> COMMANDS = List.of(BackendsCommand.class, SimulateCommand.class,
            SaveCommand.class, RestoreCommand.class, MigrateCommand.class, XlMigrateCommand.class,
            ReceiveCommand.class, MigrateReceiveCommand.class, PlanCommand.class, ExperimentCommand.class,
            BenchCommand.class, HintsCommand.class, CommandLine.HelpCommand.class);

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
        CommandLine cl = commandLine(root, args);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler(new Errors.ExecutionHandler(root));
        cl.setParameterExceptionHandler(new Errors.ParameterHandler());
        listExitCodes(cl);
        try {
            return cl.execute(args);
        } catch (Error e) {
            // picocli hands only exceptions to the handler: an error (out of memory) is one line here too.
            err.println("sonic: " + ThreadDeaths.describe(Thread.currentThread().getName(), e));
            if (root.debug) {
                e.printStackTrace(err);
            }
            err.flush();
            return Errors.FAILED;
        }
    }

    /** The whole command tree, every subcommand included (for help, completion and man pages). */
    public static CommandLine commandLine() {
        return commandLine(new Sonic(), new String[0]);
    }

    /**
     * The command tree {@code args} needs: the root with only the subcommand they name, or with every
     * subcommand when they name none that exists (the root's help, {@code help}, a mistyped name, which
     * picocli answers with suggestions from all of them).
     */
    static CommandLine commandLine(Sonic root, String[] args) {
        CommandLine cl = new CommandLine(root);
        String wanted = firstCommandWord(args);
        List<Class<?>> named = COMMANDS.stream().filter(c -> nameOf(c).equals(wanted) && !wanted.equals("help")).toList();
        for (Class<?> command : named.isEmpty() ? COMMANDS : named) {
            cl.addSubcommand(command);
        }
        return cl;
    }

    /** The first argument that is not one of the root's own options, or "" if there is none. */
    private static String firstCommandWord(String[] args) {
        for (String a : args) {
            if (!a.startsWith("-")) {
                return a;
            }
        }
        return "";
    }

    private static String nameOf(Class<?> command) {
        return command.getAnnotation(Command.class).name();
    }

    /** Every command's help ends with the same exit codes, including commands added later. */
    private static void listExitCodes(CommandLine cl) {
        cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(ExitCode.helpList());
        cl.getSubcommands().values().forEach(Sonic::listExitCodes);
    }

    /**
     * {@code sonic --version}: the project's version (from the jar manifest), the Java runtime, and each
     * Xen library the Xen backend loads, by the versioned name the dynamic loader is asked for, found or
     * not and why.
     */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            List<String> lines = new ArrayList<>();
            String v = Sonic.class.getPackage().getImplementationVersion();
            lines.add("sonic " + (v == null ? "development build" : v));
            lines.add("Java " + Runtime.version() + " (" + System.getProperty("java.home") + ")");
            lines.add("Xen libraries:");
            for (XenLibrary lib : XenLibrary.values()) {
                lines.add(String.format(Locale.ROOT, "  %-26s %s", lib.soname(),
                        lib.problem().map(p -> "not found: " + p).orElse("found")));
            }
            return lines.toArray(String[]::new);
        }
    }
}
