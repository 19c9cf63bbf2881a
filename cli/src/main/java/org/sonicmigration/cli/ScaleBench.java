package org.sonicmigration.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.sonicmigration.engine.MigrationOptions;
import org.sonicmigration.engine.SoftPolicy;
import org.sonicmigration.sim.experiment.SimulatedMigration;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.kernel.PageStoreMode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sonic bench scale}: how time and memory grow with the guest. Idle seeded guests of each size are
 * migrated and verified in this process (plain pre-copy and SonicMigration); for each it records the
 * time, the heap's peak (every heap pool's peak since a collection just before), the process's peak
 * resident set, and what the engine's thread allocated; then a table, and a plot if asked.
 */
@Command(name = "scale", footer = {"", "Example:", "  SONIC_JAVA_OPTS=-Xmx1g sonic bench scale --sizes 1G,4G,16G,64G --plot scale.png"},
        mixinStandardHelpOptions = true, description = "Time, heap and RSS of migrations against guest size.")
final class ScaleBench implements Callable<Integer> {
    @Option(names = "--sizes", split = ",", paramLabel = "SIZE", defaultValue = "1G,4G,16G,64G", converter = Sizes.class,
            description = "Guest sizes (default: ${DEFAULT-VALUE}).")
    List<Long> sizes;

    @Mixin
    BenchCommand.Policies policies = new BenchCommand.Policies();

    @Option(names = "--plot", paramLabel = "FILE", description = "Also draw the figures into this PNG.")
    Path plot;

    @Option(names = "--json", description = "Print the results as one JSON object.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * One size's figures.
     *
     * @param peakHeapBytes   the heap's peak during the run (guest model, destination and engine together)
     * @param peakRssBytes    the process's peak resident set during the run (VmHWM, reset before it)
     * @param maxHeapBytes    the heap's limit ({@code -Xmx})
     */
    record Point(long memoryBytes, String policy, boolean verified, double seconds, long pagesSent,
                 long peakHeapBytes, long peakRssBytes, long maxHeapBytes, long engineAllocated, double senderCpu) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String load = BenchCommand.loadAverage();
        List<Point> points = new ArrayList<>();
        for (long size : sizes) {
            for (SoftPolicy p : policies.list) {
                GuestConfig guest = GuestConfig.linux61("scale", size).withStoreMode(PageStoreMode.SEEDED);
                var setup = new SimulatedMigration.Setup(guest, List.of(), List.of(),
                        MigrationOptions.defaults().withSoft(p), false);
                System.gc();
                resetPeaks();
                BenchCommand.Run r = BenchCommand.measure(setup, "idle", "seeded", p.toString());
                Point pt = new Point(size, p.toString(), r.verified(), r.seconds(), r.pagesSent(), peakHeap(),
                        peakRss(), Runtime.getRuntime().maxMemory(), r.engineAllocated(), r.senderCpu());
                points.add(pt);
                if (!json) {
                    err.printf(Locale.ROOT, "%s %s: %.2f s%s%n", Sizes.format(size), p, r.seconds(),
                            r.verified() ? "" : " NOT VERIFIED");
                }
            }
        }
        if (plot != null) {
            draw(points, plot);
        }
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("loadAverageBefore", load);
            doc.put("loadAverageAfter", BenchCommand.loadAverage());
            doc.put("points", points);
            out.println(PrettyJson.MAPPER.writeValueAsString(doc));
        } else {
            out.printf(Locale.ROOT, "sonic bench scale: idle seeded guests, -Xmx %s, load average %s before, %s after%n",
                    Sizes.format(Runtime.getRuntime().maxMemory()), load, BenchCommand.loadAverage());
            out.printf(Locale.ROOT, "%-8s %-11s %9s %12s %10s %10s %14s %8s %s%n", "guest", "policy", "time s",
                    "pages sent", "peak heap", "peak RSS", "engine alloc", "send s", "verified");
            for (Point p : points) {
                out.printf(Locale.ROOT, "%-8s %-11s %9.2f %12d %10s %10s %14s %8.2f %s%n", Sizes.format(p.memoryBytes()),
                        p.policy(), p.seconds(), p.pagesSent(), mib(p.peakHeapBytes()), mib(p.peakRssBytes()),
                        mib(p.engineAllocated()), p.senderCpu(), p.verified() ? "yes" : "NO");
            }
        }
        out.flush();
        return points.stream().allMatch(Point::verified) ? ExitCode.SUCCESS.code : ExitCode.VERIFICATION_FAILED.code;
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f MiB", bytes / 1048576.0);
    }

    private static void resetPeaks() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
        try {
            // "5" resets the peak resident set (VmHWM) to the current one (Linux 4.0 and later).
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | RuntimeException e) {
            // not Linux, or not allowed: the peak is then the process's lifetime peak
        }
    }

    /** The sum of each heap pool's peak: an upper bound of the heap's peak, as the pools peak at different times. */
    private static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    private static long peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    private void draw(List<Point> points, Path png) throws IOException {
        XYChart time = Fig3Plot.chart("(a) migration time", "guest memory (GiB)", "time (s)");
        XYChart memory = Fig3Plot.chart("(b) memory of the process", "guest memory (GiB)", "MiB");
        for (SoftPolicy p : policies.list) {
            List<Point> s = points.stream().filter(x -> x.policy().equals(p.toString())).toList();
            double[] x = s.stream().mapToDouble(v -> v.memoryBytes() / BenchCommand.GIB).toArray();
            String name = ExperimentCommand.label(p);
            time.addSeries(name, x, s.stream().mapToDouble(Point::seconds).toArray()).setMarker(SeriesMarkers.CIRCLE);
            memory.addSeries("peak heap, " + name, x, s.stream().mapToDouble(v -> v.peakHeapBytes() / 1048576.0).toArray())
                    .setMarker(SeriesMarkers.CIRCLE);
            memory.addSeries("peak RSS, " + name, x, s.stream().mapToDouble(v -> v.peakRssBytes() / 1048576.0).toArray())
                    .setMarker(SeriesMarkers.SQUARE);
        }
        String stem = png.toAbsolutePath().toString().replaceFirst("\\.png$", "");
        BitmapEncoder.saveBitmap(List.of(time, memory), 1, 2, stem, BitmapEncoder.BitmapFormat.PNG);
    }
}
