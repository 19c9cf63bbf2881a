package org.sonicmigration.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sonicmigration.sim.experiment.ThroughputLoss;

/**
 * {@code sonic experiment noise} and {@code retain-hot} run end to end on small guests and write what they
 * claim: samples covering both migrations, losses computed from those samples, and the retention table.
 */
class ExperimentCommandsTest {

    @Test
    void noiseSamplesTheWorkloadAroundBothMigrationsAndComputesTheLossFromTheSamples(@TempDir Path dir) throws Exception {
        SonicCliTest.Run r = SonicCliTest.sonic("experiment", "noise", "--memory", "64M", "--cache", "48M",
                "--bandwidth", "200Mbit", "--rounds", "1", "--threads", "1", "--buffer", "1M", "--before", "1s",
                "--after", "500ms", "-o", dir.toString());
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("default pre-copy").contains("SonicMigration").contains("wrote");
        assertThat(dir.resolve("noise.png")).isNotEmptyFile();
        List<String[]> csv = Files.readAllLines(dir.resolve("noise.csv")).stream().skip(1).map(l -> l.split(",")).toList();
        JsonNode json = PrettyJson.MAPPER.readTree(dir.resolve("noise.json").toFile());
        assertThat(json.get("runs")).hasSize(2);
        for (JsonNode run : json.get("runs")) {
            String policy = run.get("policy").asText();
            String position = run.get("position").asText();
            double seconds = run.get("migrationSeconds").asDouble();
            assertThat(run.get("verified").asBoolean()).isTrue();
            List<ThroughputLoss.Sample> samples = new ArrayList<>();
            for (String[] row : csv) {
                if (row[1].equals(position)) {
                    samples.add(new ThroughputLoss.Sample(Double.parseDouble(row[3]), Double.parseDouble(row[4]),
                            Double.parseDouble(row[5]) * 1e6));
                }
            }
            assertThat(samples).as(policy + ": samples before the migration").anyMatch(s -> s.to() < 0);
            assertThat(samples).as(policy + ": samples during it").anyMatch(s -> s.from() >= 0 && s.to() <= seconds);
            assertThat(samples).as(policy + ": samples after it").anyMatch(s -> s.from() > seconds);
            // the loss in the JSON is the one the samples in the CSV give
            ThroughputLoss fromCsv = ThroughputLoss.of(samples, 1.0, seconds);
            JsonNode loss = run.get("loss");
            assertThat(loss.get("baselineRate").asDouble()).isCloseTo(fromCsv.baselineRate(), within(1e-3 * fromCsv.baselineRate()));
            assertThat(loss.get("lostUnits").asDouble())
                    .isCloseTo(fromCsv.lostUnits(), within(1e-3 * fromCsv.baselineRate() * seconds + 1));
        }
    }

    @Test
    void retainHotWritesItsTableAndRetentionSavesTheReReads(@TempDir Path dir) throws Exception {
        SonicCliTest.Run r = SonicCliTest.sonic("experiment", "retain-hot", "--memory", "256M", "--cold", "128M",
                "--hot", "16M", "-o", dir.toString());
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        List<String> csv = Files.readAllLines(dir.resolve("retain-hot.csv"));
        assertThat(csv).hasSize(5);
        JsonNode rows = PrettyJson.MAPPER.readTree(dir.resolve("retain-hot.json").toFile()).get("rows");
        assertThat(rows.get(1).get("variant").asText()).isEqualTo("SONIC");
        assertThat(rows.get(1).get("rereadAfter").asLong()).isPositive();
        assertThat(rows.get(3).get("variant").asText()).isEqualTo("RETAIN_HOT");
        assertThat(rows.get(3).get("rereadAfter").asLong()).isZero();
    }

    @Test
    void badExperimentArgumentsAreOneLineErrors() {
        for (String[] bad : new String[][] {
                {"experiment", "noise", "--rounds", "0"},
                {"experiment", "noise", "--before", "100ms"},
                {"experiment", "retain-hot", "--memory", "256M", "--cold", "200M", "--hot", "64M"}}) {
            SonicCliTest.Run r = SonicCliTest.sonic(bad);
            assertThat(r.code()).as(String.join(" ", bad) + ": " + r.err()).isEqualTo(2);
            assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
        }
    }
}
