package org.sonicmigration.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sonicmigration.engine.IterationStats;
import org.sonicmigration.engine.MigrationReport;
import org.sonicmigration.engine.Outcome;
import org.sonicmigration.engine.PassKind;
import org.sonicmigration.engine.SoftPageSummary;
import org.sonicmigration.engine.SoftPolicy;

/** The soft-page line of a report, as a reader and as a script see it. */
class ReportOptionsTest {
    static final MigrationReport REPORT = new MigrationReport("domu", "sim", Outcome.COMPLETED, "",
            List.of(new IterationStats(0, PassKind.LIVE, 1000, 900, 0, 100, 900 * 4096, 1_000_000, 40),
                    new IterationStats(1, PassKind.FINAL, 60, 47, 13, 0, 47 * 4096, 100_000, 0)),
            947, 13, 947 * 4096, 2_000_000, 100_000, 1000, List.of(),
            new SoftPageSummary(SoftPolicy.FREE_AND_CACHE, true, 2, 2, 100, 20, 1_000_000, "final soft set of 20 pages",
                    0, 13, 7, List.of(), "on demand (lease 30 s): first hint 12.0 ms after the request"));

    @Test
    void theTextReportCountsFinalSoftPagesWrittenBeforeThePause() {
        StringWriter out = new StringWriter();
        ReportOptions.printText(new PrintWriter(out), REPORT, null);
        assertThat(out.toString()).contains("13 pages never sent (1.3% of guest memory)")
                .contains("7 final-soft pages written before the pause, sent with data")
                .contains("live hint: on demand (lease 30 s): first hint 12.0 ms after the request");
    }

    @Test
    void theJsonReportCarriesTheCount() throws Exception {
        StringWriter out = new StringWriter();
        ReportOptions options = new ReportOptions();
        options.output.json = true;
        options.print(new PrintWriter(out), REPORT, null);
        assertThat(out.toString().strip().lines()).as("one JSON line").hasSize(1);
        JsonNode json = PrettyJson.MAPPER.readTree(out.toString());
        assertThat(json.get("event").asText()).isEqualTo("report");
        assertThat(json.at("/migration/soft/finalSoftDirtied").asLong(-1)).isEqualTo(7);
        assertThat(json.at("/migration/soft/unsentPages").asLong(-1)).isEqualTo(13);
        assertThat(json.at("/migration/soft/livePublication").asText()).startsWith("on demand");
    }
}
