package org.sonicmigration.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * {@code sonic plan} on the simulator: its prediction against the migration that follows it, for a
 * guest that skips its soft pages and for plain pre-copy; and an unknown domain in one line.
 */
class PlanCommandTest {

    static JsonNode planAndMigrate(String soft) throws Exception {
        SonicCliTest.Run r = SonicCliTest.sonic("plan", "sim-guest", "--memory", "128M", "--workload", "cache:64",
                "--workload", "writer:2000:8", "--virtual-time", "--bandwidth", "1Gbit", "--sample", "2s", "--compare",
                "--soft", soft, "--json");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().strip().lines()).hasSize(1);
        JsonNode plan = JsonEvents.LINES.readTree(r.out());
        assertThat(plan.get("event").asText()).isEqualTo("plan");
        return plan;
    }

    @Test
    void thePredictionOfASkippingMigrationIsWithinTenPercent() throws Exception {
        JsonNode plan = planAndMigrate("free+cache");
        assertThat(plan.get("softPages").asLong()).as("the cache is soft").isGreaterThan(16_000);
        assertThat(plan.at("/measured/policy").asText()).isEqualTo("SonicMigration");
        assertThat(Math.abs(plan.at("/measured/pagesErrorPercent").asDouble())).as(plan.toString()).isLessThan(10);
        assertThat(Math.abs(plan.at("/measured/timeErrorPercent").asDouble())).as(plan.toString()).isLessThan(10);
        assertThat(plan.at("/soft/pagesWithData").asLong()).isLessThan(plan.at("/plain/pagesWithData").asLong() / 2);
    }

    @Test
    void thePredictionOfPlainPreCopyIsWithinTenPercent() throws Exception {
        JsonNode plan = planAndMigrate("off");
        assertThat(plan.at("/measured/policy").asText()).isEqualTo("plain pre-copy");
        assertThat(Math.abs(plan.at("/measured/pagesErrorPercent").asDouble())).as(plan.toString()).isLessThan(10);
        assertThat(Math.abs(plan.at("/measured/timeErrorPercent").asDouble())).as(plan.toString()).isLessThan(10);
    }

    @Test
    void theTextPlanShowsBothMigrations() {
        SonicCliTest.Run r = SonicCliTest.sonic("plan", "sim-guest", "--memory", "64M", "--virtual-time", "--sample",
                "1s");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("plain pre-copy").contains("SonicMigration").contains("dirty rate")
                .contains("(assumed; set --bandwidth)");
    }

    @Test
    void anUnknownDomainIsOneLine() {
        SonicCliTest.Run r = SonicCliTest.sonic("plan", "nosuch", "--memory", "64M", "--virtual-time");
        assertThat(r.code()).isNotZero();
        assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
        assertThat(r.err()).contains("no domain nosuch").doesNotContain("\tat ");
    }
}
