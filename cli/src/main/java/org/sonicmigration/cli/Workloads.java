package org.sonicmigration.cli;

import java.util.ArrayList;
import java.util.List;
import org.sonicmigration.sim.workload.WorkloadSpec;
import picocli.CommandLine;

/**
 * The {@code --workload} mini-language of simulated guests. Preparation workloads run to completion
 * before the migration starts (as in the paper: fill the cache, then allocate user memory); running
 * workloads keep going during it.
 * <ul>
 *   <li>{@code cache:MB} read MB of files into the page cache (prepare)</li>
 *   <li>{@code user:MB} allocate and touch MB of anonymous memory (prepare)</li>
 *   <li>{@code writer:PAGES_PER_S[:HOT_MB]} rewrite random pages of a hot set (running; hot set 64 MB)</li>
 *   <li>{@code churn:PAGES_PER_S[:POOL_MB]} memory churn: allocate and write fresh pages, free old ones, over a
 *       pool (running; pool 16 MB)</li>
 *   <li>{@code postmark[:TPS]} postmark-like small-file churn (running)</li>
 *   <li>{@code idle} nothing</li>
 * </ul>
 */
final class Workloads {
    /** Preparation runs fast: it sets the scene and is not what is measured. */
    static final long PREPARE_RATE = 8L << 30;

    record Plan(List<WorkloadSpec> prepare, List<WorkloadSpec> during) {}

    private Workloads() {}

    static Plan parse(List<String> items, boolean realTime) {
        List<WorkloadSpec> prepare = new ArrayList<>();
        List<WorkloadSpec> during = new ArrayList<>();
        for (String item : items) {
            String[] p = item.split(":", -1);
            try {
                switch (p[0]) {
                    case "idle" -> args(p, 0, 0, item);
                    case "cache" -> {
                        args(p, 1, 1, item);
                        long bytes = mb(p[1], item);
                        prepare.add(realTime ? new WorkloadSpec.FillCache(bytes, 256 * WorkloadSpec.MIB, PREPARE_RATE)
                                : WorkloadSpec.fillCache(bytes));
                    }
                    case "user" -> {
                        args(p, 1, 1, item);
                        long bytes = mb(p[1], item);
                        prepare.add(realTime ? new WorkloadSpec.AllocateAnon(bytes, PREPARE_RATE)
                                : WorkloadSpec.allocateAnon(bytes));
                    }
                    case "writer" -> {
                        args(p, 1, 2, item);
                        long rate = number(p[1], item);
                        long hot = p.length > 2 ? mb(p[2], item) : 64 * WorkloadSpec.MIB;
                        during.add(WorkloadSpec.randomWriter(hot, rate));
                    }
                    case "churn" -> {
                        args(p, 1, 2, item);
                        long rate = number(p[1], item);
                        long pool = p.length > 2 ? mb(p[2], item) : 16 * WorkloadSpec.MIB;
                        during.add(new WorkloadSpec.MemoryChurn(pool, rate));
                    }
                    case "postmark" -> {
                        args(p, 0, 1, item);
                        WorkloadSpec.FileChurn d = WorkloadSpec.fileChurn();
                        during.add(p.length > 1 ? new WorkloadSpec.FileChurn(d.files(), d.minFileBytes(),
                                d.maxFileBytes(), number(p[1], item)) : d);
                    }
                    default -> throw new CommandLine.TypeConversionException("unknown workload '" + item
                            + "' (use cache:MB, user:MB, writer:PAGES_PER_S[:HOT_MB], churn:PAGES_PER_S[:POOL_MB],"
                            + " postmark[:TPS] or idle)");
                }
            } catch (org.sonicmigration.sim.kernel.SimulatorException e) {
                throw new CommandLine.TypeConversionException("workload '" + item + "': " + e.getMessage());
            }
        }
        return new Plan(prepare, during);
    }

    private static void args(String[] p, int min, int max, String item) {
        int n = p.length - 1;
        if (n < min || n > max) {
            throw new CommandLine.TypeConversionException("workload '" + item + "' takes "
                    + (min == max ? min : min + " to " + max) + " value" + (max == 1 ? "" : "s") + " after its name");
        }
    }

    private static long number(String s, String item) {
        try {
            long v = Long.parseLong(s);
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("workload '" + item + "': '" + s + "' is not a number");
        }
    }

    private static long mb(String s, String item) {
        return number(s, item) * WorkloadSpec.MIB;
    }
}
