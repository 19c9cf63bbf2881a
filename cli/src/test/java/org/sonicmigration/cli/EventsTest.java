package org.sonicmigration.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sonicmigration.engine.HandshakeOutcome;
import org.sonicmigration.engine.IterationStats;
import org.sonicmigration.engine.PassKind;
import org.sonicmigration.engine.Phase;

/** What scripts and people watching a migration see: JSON lines per event, and the terminal display. */
class EventsTest {

    static List<JsonNode> lines(String out) throws Exception {
        List<JsonNode> events = new ArrayList<>();
        for (String line : out.strip().split("\n")) {
            events.add(JsonEvents.LINES.readTree(line));
        }
        return events;
    }

    static List<String> kinds(List<JsonNode> events) {
        return events.stream().map(e -> e.get("event").asText()).toList();
    }

    @Test
    void aMigrationStreamsOneJsonObjectPerEventAndTheReportLast() throws Exception {
        SonicCliTest.Run r = SonicCliTest.sonic("simulate", "--memory", "64M", "--workload", "cache:16",
                "--workload", "writer:5000:8", "--bandwidth", "1Gbit", "--virtual-time", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        List<JsonNode> events = lines(r.out());
        for (JsonNode e : events) {
            assertThat(e.has("event") && e.has("elapsed")).as(e.toString()).isTrue();
        }
        List<String> kinds = kinds(events);
        assertThat(kinds.getLast()).isEqualTo("report");
        assertThat(kinds).contains("phase", "pass-start", "pass", "handshake");
        assertThat(events.stream().filter(e -> e.get("event").asText().equals("phase")).map(e -> e.get("phase").asText()))
                .containsSubsequence("CONNECT", "LIVE", "SUSPEND", "FINAL", "HANDOVER", "DONE");
        JsonNode first = events.stream().filter(e -> e.get("event").asText().equals("pass")).findFirst().orElseThrow();
        assertThat(first.get("kind").asText()).isEqualTo("LIVE");
        assertThat(first.get("sent").asLong()).isPositive();
        assertThat(first.get("skipped").asLong()).as("cache pages skipped in pass 0").isPositive();
        assertThat(first.get("bytes").asLong()).isGreaterThan(first.get("sent").asLong() * 4096);
        assertThat(first.get("dirty").asLong()).isPositive();
        // The passes add up to the report's totals.
        long sent = events.stream().filter(e -> e.get("event").asText().equals("pass")).mapToLong(e -> e.get("sent").asLong()).sum();
        assertThat(sent).isEqualTo(events.getLast().at("/migration/pagesSent").asLong());
        JsonNode handshake = events.get(kinds.indexOf("handshake"));
        assertThat(handshake.get("finalSet").asBoolean()).isTrue();
        assertThat(handshake.get("finalSoftPages").asLong()).isPositive();
    }

    @Test
    void aFallbackIsAnEventWithItsReason() throws Exception {
        SonicCliTest.Run r = SonicCliTest.sonic("simulate", "--memory", "64M", "--guest-module", "none", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        List<JsonNode> events = lines(r.out());
        JsonNode fallback = events.get(kinds(events).indexOf("fallback"));
        assertThat(fallback.get("reason").asText()).contains("no soft-page hint area");
        assertThat(kinds(events)).doesNotContain("handshake");
    }

    @Test
    void quietJsonGivesOnlyTheReportAndQuietTextNothing() throws Exception {
        SonicCliTest.Run json = SonicCliTest.sonic("simulate", "--memory", "64M", "--json", "--quiet");
        assertThat(json.code()).as(json.err()).isZero();
        assertThat(kinds(lines(json.out()))).containsExactly("report");
        SonicCliTest.Run text = SonicCliTest.sonic("simulate", "--memory", "64M", "-q");
        assertThat(text.code()).as(text.err()).isZero();
        assertThat(text.out()).isEmpty();
    }

    @Test
    void theTerminalDisplayShowsPhasePassPagesRateDirtyRateAndEta() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ProgressDisplay d = new ProgressDisplay(new PrintStream(bytes, true, StandardCharsets.UTF_8), 200)) {
            d.phase(Phase.LIVE);
            d.iterationStarted(0, PassKind.LIVE, 1000);
            d.progress(0, 500, 1000, 500 * 4104);
            d.iterationFinished(new IterationStats(0, PassKind.LIVE, 1000, 700, 0, 300, 700 * 4104, 2_000_000_000L, 400));
            d.iterationStarted(1, PassKind.LIVE, 400);
            d.progress(1, 200, 400, 900 * 4104);
            d.handshake(new HandshakeOutcome(true, 250, 5_000_000, "final soft set of 250 pages in 5.0 ms"));
            d.fallback("the guest stopped refreshing its hint: stale hints ignored");
            d.phase(Phase.SUSPEND);
        }
        String shown = bytes.toString(StandardCharsets.UTF_8);
        assertThat(shown).contains("live pass 0").contains("live pass 1").contains("MB/s")
                .contains("300 skipped").contains("dirty 200 pages/s").contains("ETA")
                .contains("handshake: final soft set of 250 pages").contains("fallback: the guest stopped refreshing")
                .contains("suspending the guest");
    }
}
