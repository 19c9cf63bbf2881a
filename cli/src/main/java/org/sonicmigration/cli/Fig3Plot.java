package org.sonicmigration.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.sonicmigration.engine.SoftPolicy;
import org.sonicmigration.sim.experiment.Fig3Experiment;

/** Draws Figure 3 as the paper lays it out: (a) migration time and (b) pages sent against user memory. */
final class Fig3Plot {
    private Fig3Plot() {}

    static void write(List<Fig3Experiment.Point> points, Path png) throws IOException {
        XYChart time = chart("(a) migration time", "time (s)");
        XYChart pages = chart("(b) pages sent", "pages sent (x1000)");
        for (SoftPolicy p : List.of(SoftPolicy.OFF, SoftPolicy.FREE_AND_CACHE)) {
            List<Fig3Experiment.Point> series = points.stream().filter(x -> x.policy() == p).toList();
            double[] x = series.stream().mapToDouble(Fig3Experiment.Point::userMib).toArray();
            add(time, ExperimentCommand.label(p), x, series.stream().mapToDouble(Fig3Experiment.Point::seconds).toArray());
            add(pages, ExperimentCommand.label(p), x, series.stream().mapToDouble(s -> s.pagesSent() / 1000.0).toArray());
        }
        Path base = png.toAbsolutePath();
        String stem = base.toString().replaceFirst("\\.png$", "");
        BitmapEncoder.saveBitmap(List.of(time, pages), 1, 2, stem, BitmapEncoder.BitmapFormat.PNG);
    }

    private static XYChart chart(String title, String yTitle) {
        return chart(title, "user memory (MiB)", yTitle);
    }

    /** One panel in the project's figure style: 560 x 400, legend inside at the top left, y from zero. */
    static XYChart chart(String title, String xTitle, String yTitle) {
        XYChart c = new XYChartBuilder().width(560).height(400).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setYAxisDecimalPattern("#,##0.#");
        return c;
    }

    private static void add(XYChart chart, String name, double[] x, double[] y) {
        XYSeries s = chart.addSeries(name, x, y);
        s.setMarker(SeriesMarkers.CIRCLE);
    }
}
