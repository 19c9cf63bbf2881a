package org.sonicmigration.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.sonicmigration.spi.Backends;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code sonic backends}: every backend, whether it can run here, and why. */
@Command(name = "backends", footer = {"", "Example:", "  sonic backends"},
        mixinStandardHelpOptions = true, description = "List the hypervisor backends and whether each can run here.")
final class BackendsCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        var candidates = Backends.discover().candidates();
        boolean chosen = false;
        for (var c : candidates) {
            String mark;
            if (c.availability().available() && !chosen) {
                mark = "*";
                chosen = true;
            } else {
                mark = " ";
            }
            out.printf("%s %-5s %-10s %s%n      %s%n", mark, c.backend().name(),
                    c.availability().available() ? "available" : "unavailable", c.backend().description(),
                    c.availability().reason());
        }
        out.println(chosen ? "* = chosen when --backend is not given" : "no backend can run here");
        return chosen ? 0 : 1;
    }
}
