package org.sonicmigration.cli;

import java.io.PrintWriter;
import org.sonicmigration.spi.BackendException;
import org.sonicmigration.engine.MigrationException;
import picocli.CommandLine;

/**
 * The error policy of the command line. A user's mistake or an environment problem is one line on
 * stderr and an {@link ExitCode} (usage, failure, or what a failed migration left where); only
 * {@code --debug} adds the stack trace, because a trace is for developers, not for the operator of a
 * migration.
 */
final class Errors {
    static final int USAGE = ExitCode.USAGE.code;
    static final int FAILED = ExitCode.FAILED.code;

    private Errors() {}

    /** A failure the user can act on; its message is the whole story, its exit code where the guest is. */
    static final class UserException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final ExitCode exitCode;

        UserException(String message) {
            this(message, ExitCode.FAILED, null);
        }

        UserException(String message, Throwable cause) {
            this(message, ExitCode.FAILED, cause);
        }

        UserException(String message, ExitCode exitCode, Throwable cause) {
            super(message, cause);
            this.exitCode = exitCode;
        }

        ExitCode exitCode() {
            return exitCode;
        }
    }

    /** A failed migration as the command ends: its message, and the exit code its outcome and a signal give. */
    static UserException migrationFailed(MigrationException e, SignalStop signals) {
        return new UserException(e.getMessage(), ExitCode.of(e.report().outcome(), signals.received()), e);
    }

    static final class ExecutionHandler implements CommandLine.IExecutionExceptionHandler {
        private final Sonic root;

        ExecutionHandler(Sonic root) {
            this.root = root;
        }

        @Override
        public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
            PrintWriter err = cl.getErr();
            if (ex instanceof CommandLine.TypeConversionException) {
                // A value the options parser could not check up front (e.g. a workload): still a usage error.
                String command = cl.getCommandSpec().qualifiedName();
                err.println(command + ": " + message(ex) + " (see '" + command + " --help')");
                if (root.debug) {
                    ex.printStackTrace(err);
                }
                err.flush();
                return USAGE;
            }
            err.println("sonic: " + message(ex));
            if (root.debug) {
                ex.printStackTrace(err);
            } else if (!(ex instanceof UserException || ex instanceof MigrationException
                    || ex instanceof BackendException || ex instanceof IllegalArgumentException
                    || ex instanceof java.io.IOException || ex instanceof org.sonicmigration.sim.kernel.SimulatorException)) {
                err.println("sonic: (this looks like a bug; run again with --debug for details)");
            }
            err.flush();
            if (ex instanceof UserException u) {
                return u.exitCode().code;
            }
            if (ex instanceof MigrationException m && m.report() != null) {
                return ExitCode.of(m.report().outcome(), java.util.Optional.empty()).code;
            }
            return FAILED;
        }

        private static String message(Throwable ex) {
            String m = ex.getMessage();
            if (m == null || m.isBlank()) {
                return ex.getClass().getSimpleName();
            }
            return m;
        }
    }

    static final class ParameterHandler implements CommandLine.IParameterExceptionHandler {
        @Override
        public int handleParseException(CommandLine.ParameterException ex, String[] args) {
            CommandLine cl = ex.getCommandLine();
            PrintWriter err = cl.getErr();
            String command = cl.getCommandSpec().qualifiedName();
            err.println(command + ": " + ex.getMessage() + " (see '" + command + " --help')");
            err.flush();
            return USAGE;
        }
    }
}
