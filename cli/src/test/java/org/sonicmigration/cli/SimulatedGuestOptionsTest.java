package org.sonicmigration.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sonicmigration.sim.module.HintModuleSpec;
import org.sonicmigration.sim.workload.WorkloadSpec;

/**
 * The simulated guest as {@code sonic simulate} describes it: memory churn and small-file churn are two
 * workloads, the module lists its final soft set unless told to hold it, and the report counts what the
 * verification checked per class of page.
 */
class SimulatedGuestOptionsTest {
    static final long MIB = 1L << 20;

    @Test
    void churnIsMemoryChurnAndPostmarkIsFileChurn() {
        Workloads.Plan plan = Workloads.parse(List.of("churn:20000", "churn:500:4", "postmark", "postmark:300"), false);
        assertThat(plan.prepare()).isEmpty();
        assertThat(plan.during()).containsExactly(new WorkloadSpec.MemoryChurn(16 * MIB, 20_000),
                new WorkloadSpec.MemoryChurn(4 * MIB, 500), WorkloadSpec.fileChurn(),
                new WorkloadSpec.FileChurn(500, 512, 16384, 300));
    }

    @Test
    void theModuleListsByDefaultAndHoldsWhenAsked() {
        GuestOptions.ModuleConverter c = new GuestOptions.ModuleConverter();
        assertThat(c.convert("cooperative").holdsFinalSet()).isFalse();
        assertThat(c.convert("cooperative:hold")).isEqualTo(HintModuleSpec.holding());
        assertThat(c.convert("cooperative:hold").holdsFinalSet()).isTrue();
        assertThat(c.convert("cooperative").publishesOnDemand()).as("the Linux module's default").isTrue();
        assertThat(c.convert("cooperative:periodic").publishesOnDemand()).isFalse();
    }

    @Test
    void aBareChurnOrAHoldingTypoGetsOneLine() {
        SonicCliTest.Run churn = SonicCliTest.sonic("simulate", "--workload", "churn");
        assertThat(churn.code()).isEqualTo(2);
        assertThat(churn.err().strip()).doesNotContain("\n").contains("churn").contains("1 to 2 values");
        SonicCliTest.Run module = SonicCliTest.sonic("simulate", "--guest-module", "cooperative:hodl");
        assertThat(module.code()).isEqualTo(2);
        assertThat(module.err().strip()).doesNotContain("\n").contains("cooperative:hold");
    }

    @Test
    void aChurningGuestMigratesVerifiedAndTheReportCountsEveryClassOfPage() throws Exception {
        SonicCliTest.Run r = SonicCliTest.sonic("simulate", "--memory", "256M", "--workload", "cache:64",
                "--workload", "churn:5000", "--bandwidth", "1Gbit", "--virtual-time", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode v = SonicCliTest.report(r.out()).at("/verification");
        assertThat(v.at("/passed").asBoolean()).isTrue();
        assertThat(v.at("/mode").asText()).isEqualTo("soft");
        long hard = v.at("/categories/hard/checked").asLong();
        long cache = v.at("/categories/cleanCache/checked").asLong();
        long free = v.at("/categories/free/checked").asLong();
        assertThat(hard).isPositive();
        assertThat(free).isPositive();
        assertThat(hard + cache + free).isEqualTo(v.at("/pagesCompared").asLong());
        assertThat(v.at("/categories/withoutData/checked").asLong()).isPositive();
        assertThat(v.at("/categories/withoutData/mismatches").asLong()).isZero();

        SonicCliTest.Run text = SonicCliTest.sonic("simulate", "--memory", "64M", "--workload", "churn:2000",
                "--bandwidth", "1Gbit", "--virtual-time");
        assertThat(text.code()).as(text.err()).isZero();
        assertThat(text.out()).contains("free/held pages present").contains("outside the final soft set");
    }
}
