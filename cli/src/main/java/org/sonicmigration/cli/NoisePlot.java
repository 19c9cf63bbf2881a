package org.sonicmigration.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.sonicmigration.sim.experiment.NoiseExperiment;

/** Draws the noise experiment like the paper's Figure 1: the collocated workload's throughput over time, per policy. */
final class NoisePlot {
    private NoisePlot() {}

    /** Plots round {@code round} of {@code runs}: one line per policy, time from each migration's start. */
    static void write(List<NoiseExperiment.Run> runs, int round, Path png) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(450)
                .title("collocated workload's throughput while a guest migrates (round " + round + ")")
                .xAxisTitle("time since the migration started (s)").yAxisTitle("SHA-256 throughput (MB/s)").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setYAxisMin(0.0);
        for (NoiseExperiment.Run r : runs) {
            if (r.round() != round) {
                continue;
            }
            double[] x = r.samples().stream().mapToDouble(s -> s.to()).toArray();
            double[] y = r.samples().stream().mapToDouble(s -> s.rate() / 1e6).toArray();
            String name = String.format(Locale.ROOT, "%s: migrating 0 to %.1f s, lost %.2f s of work",
                    ExperimentCommand.label(r.policy()), r.migrationSeconds(), r.loss().lostSeconds());
            XYSeries s = chart.addSeries(name, x, y);
            s.setMarker(SeriesMarkers.NONE);
        }
        String stem = png.toAbsolutePath().toString().replaceFirst("\\.png$", "");
        BitmapEncoder.saveBitmap(List.of(chart), 1, 1, stem, BitmapEncoder.BitmapFormat.PNG);
    }
}
