package org.sonicmigration.sim;

import org.sonicmigration.testsupport.ProfileData;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sonicmigration.guest.profile.MemoryProfile;
import org.sonicmigration.guest.profile.PageClass;
import org.sonicmigration.sim.guest.ClockMode;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.sim.guest.WorkloadHandle;
import org.sonicmigration.sim.workload.WorkloadSpec;

/**
 * The default guest against the measured 6.1 profiles. Tolerance per class: the stated percentage of the
 * measured class, or 1 MiB (256 pages) for classes too small for a percentage to mean anything.
 */
class CalibrationTest {
    static final long MIB = 1 << 20;

    @Test
    void defaultTwoGibGuestMatchesTheBootProfile() {
        try (SimHypervisor h = new SimHypervisor()) {
            SimGuest g = h.createGuest(GuestConfig.linux61("vm", 2048 * MIB).withClock(ClockMode.VIRTUAL));
            assertClose(g.profile(), MemoryProfile.load(ProfileData.linux61(), "boot"), 0.02);
        }
    }

    @Test
    void cacheFillOfTwoGibMatchesTheCacheStageAndAnonPressureShrinksTheCache() {
        try (SimHypervisor h = new SimHypervisor()) {
            SimGuest g = h.createGuest(GuestConfig.linux61("vm", 2048 * MIB).withClock(ClockMode.VIRTUAL)
                    .withWorkloads(WorkloadSpec.fillCache(2048 * MIB)));
            assertThat(g.advanceUntilReady(Duration.ofMillis(100), Duration.ofSeconds(60))).isTrue();
            g.advance(Duration.ofSeconds(1));
            MemoryProfile cache = g.profile();
            System.out.println("sim cache stage: " + cache + " zones " + g.zoneSummary());
            assertClose(cache, MemoryProfile.load(ProfileData.linux61(), "cache"), 0.03);

            // linux-facts: 256 MiB user -> cache 1592; 1024 -> 822; 1536 -> 311 (each run after the previous exits)
            double[] expected = {1592.40, 821.93, 311.06};
            long[] user = {256, 1024, 1536};
            for (int i = 0; i < user.length; i++) {
                WorkloadHandle alloc = g.start(WorkloadSpec.allocateAnon(user[i] * MIB));
                assertThat(g.advanceUntilReady(Duration.ofMillis(100), Duration.ofSeconds(30))).isTrue();
                g.advance(Duration.ofSeconds(1));
                MemoryProfile p = g.profile();
                System.out.printf("sim user%d: clean %.1f MiB, anon %.1f, free %.1f, hard kernel %.1f%n", user[i],
                        p.mib(PageClass.CLEAN_CACHE), p.mib(PageClass.ANON), p.mib(PageClass.FREE),
                        MemoryProfile.toMib(p.hardKernelPages()));
                assertThat(p.mib(PageClass.CLEAN_CACHE)).as("clean cache with %d MiB user", user[i])
                        .isCloseTo(expected[i], org.assertj.core.data.Percentage.withPercentage(5));
                assertThat(p.mib(PageClass.ANON)).isCloseTo(user[i], org.assertj.core.data.Offset.offset(2.0));
                assertThat(MemoryProfile.toMib(p.hardKernelPages())).isBetween(115.0, 125.0);
                alloc.stop();
                g.advance(Duration.ofSeconds(1));
            }
            long freed = g.dropCaches();
            assertThat(freed).isGreaterThan(0);
            assertThat(g.profile().mib(PageClass.FREE)).isCloseTo(1911.5, org.assertj.core.data.Percentage.withPercentage(3));
        }
    }

    static void assertClose(MemoryProfile sim, MemoryProfile real, double fraction) {
        Map<PageClass, Long> s = sim.totals();
        StringBuilder table = new StringBuilder();
        for (PageClass c : PageClass.values()) {
            table.append(String.format("%-16s sim %8d real %8d%n", c, s.get(c), real.pages(c)));
        }
        for (PageClass c : PageClass.values()) {
            long want = real.pages(c);
            long tol = Math.max(256, Math.round(want * fraction));
            assertThat(s.get(c)).as("%s%n%s", c, table).isBetween(want - tol, want + tol);
        }
    }
}
