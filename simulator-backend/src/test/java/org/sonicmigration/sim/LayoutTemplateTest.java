package org.sonicmigration.sim;

import org.sonicmigration.testsupport.ProfileData;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sonicmigration.guest.profile.MemoryProfile;
import org.sonicmigration.guest.profile.PageClass;
import org.sonicmigration.sim.kernel.LayoutTemplate;
import org.sonicmigration.sim.kernel.PageState;
import org.sonicmigration.sim.kernel.SimulatorException;

/**
 * The shipped calibration resource is exactly what the derivation gives from the measured profiles, and
 * scaling keeps class totals proportional. Run with {@code -Dsonic.regenerate=true} to rewrite the resource.
 */
class LayoutTemplateTest {
    static final String COMMENT = """
            Calibrated boot layout of a Linux 6.1 guest (Debian 6.1.0-56-amd64, 2 GiB), derived by LayoutTemplate.derive
            from data/linux61-guest run 1: 'boot' classes, with unflagged pages that are no longer unflagged in 'cache'
            taken as per-cpu free-list pages (PCP_FREE). Runs marked 'fixed' keep their size when the layout is scaled.""";

    @Test
    void resourceEqualsDerivationFromTheMeasuredProfiles() throws IOException {
        LayoutTemplate derived = LayoutTemplate.derive(MemoryProfile.load(ProfileData.linux61(), "boot"), MemoryProfile.load(ProfileData.linux61(), "cache"));
        String text = derived.format(COMMENT);
        Path resource = Path.of("src/main/resources/org/sonicmigration/sim/kernel", LayoutTemplate.RESOURCE);
        if (Boolean.getBoolean("sonic.regenerate")) {
            Files.writeString(resource, text);
        }
        assertThat(Files.readString(resource)).isEqualTo(text);
        assertThat(LayoutTemplate.linux61().format(COMMENT)).isEqualTo(text);
    }

    @Test
    void unscaledLayoutReproducesTheBootProfileExactly() {
        MemoryProfile boot = MemoryProfile.load(ProfileData.linux61(), "boot");
        PageState[] states = LayoutTemplate.linux61().scale(524288, 7);
        Map<PageClass, Long> totals = new EnumMap<>(PageClass.class);
        for (PageState s : states) {
            totals.merge(s.pageClass(), 1L, Long::sum);
        }
        for (PageClass c : PageClass.values()) {
            assertThat(totals.getOrDefault(c, 0L)).as(c.name()).isEqualTo(boot.pages(c));
        }
    }

    @Test
    void scalingKeepsFixedRunsAndScalesTheRest() {
        LayoutTemplate t = LayoutTemplate.linux61();
        PageState[] small = t.scale(32768, 1);
        PageState[] big = t.scale(4 * 524288L, 1);
        long reservedSmall = count(small, PageState.RESERVED);
        long reservedBig = count(big, PageState.RESERVED);
        long fixed = t.regions().stream().flatMap(r -> r.runs().stream()).filter(LayoutTemplate.Run::fixed)
                .mapToLong(LayoutTemplate.Run::length).sum();
        long scalable = 21258 - fixed;
        // cumulative rounding is per region: each class is within one page per region of the exact share
        assertThat(reservedSmall).isCloseTo(fixed + Math.round(scalable / 16.0), within(3L));
        assertThat(reservedBig).isEqualTo(fixed + 4 * scalable);
        assertThat(count(big, PageState.SLAB)).isEqualTo(4 * 4073);
        assertThat(count(small, PageState.SLAB)).isCloseTo(Math.round(4073 / 16.0), within(3L));
        assertThat(small).hasSize(32768);
    }

    @Test
    void kaslrMovesTheKernelImageWithTheSeed() {
        PageState[] a = LayoutTemplate.linux61().scale(524288, 1);
        PageState[] b = LayoutTemplate.linux61().scale(524288, 2);
        assertThat(firstReservedAfter(a, 300)).isNotEqualTo(firstReservedAfter(b, 300));
        assertThat(firstReservedAfter(a, 300) % 512).isZero();
    }

    @Test
    void tooSmallGuestIsRefusedWithTheMinimum() {
        assertThatThrownBy(() -> LayoutTemplate.linux61().scale(8192, 1))
                .isInstanceOf(SimulatorException.class).hasMessageContaining("too small").hasMessageContaining("MiB");
    }

    private static long firstReservedAfter(PageState[] s, int from) {
        for (int i = from; i < s.length; i++) {
            if (s[i] == PageState.RESERVED) {
                return i;
            }
        }
        return -1;
    }

    private static long count(PageState[] s, PageState w) {
        long n = 0;
        for (PageState x : s) {
            if (x == w) {
                n++;
            }
        }
        return n;
    }
}
