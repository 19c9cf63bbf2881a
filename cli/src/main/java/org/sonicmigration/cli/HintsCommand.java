package org.sonicmigration.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code sonic hints}: the guest side of SonicMigration's hints, run inside a guest (or on any Linux box).
 * Its subcommands look at the machine's memory the way the user-space reference agent does.
 */
@Command(name = "hints", footer = {"", "Example:", "  sudo sonic hints scan"},
        mixinStandardHelpOptions = true, subcommands = {HintsScanCommand.class},
        description = "The guest side of the hints: what this machine's memory would let SonicMigration skip.")
final class HintsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (try 'sonic hints scan')");
    }
}
