package org.sonicmigration.guest.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sonicmigration.guest.SoftSet;
import org.sonicmigration.guest.profile.MemoryProfile;
import org.sonicmigration.guest.profile.PageClass;

/**
 * The agent's scan of the real 6.1 snapshots, through the code path {@code sonic hints scan --kpageflags
 * --kpagecount} uses: class totals as in classes.csv, and a soft set of exactly the free and clean-cache frames.
 */
class KpageScannerDataTest {

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("org.sonicmigration.guest.agent.AgentData#stages")
    void totalsReproduceClassesCsv(String run, String stage) throws IOException {
        AgentScan scan = KpageScanner.scan(AgentData.files(run, stage));
        Map<String, Long> csv = AgentData.classesCsv(run, stage);
        MemoryProfile p = scan.profile();

        assertThat(p.pfnCount()).isEqualTo(524_288);
        for (PageClass c : PageClass.values()) {
            long expected = csv.get(c.label());
            // the brief's bar is 1 %; the classifier is exact, so hold it to that
            assertThat((double) p.pages(c)).as("%s %s %s", run, stage, c).isCloseTo(expected, within(expected * 0.01));
            assertThat(p.pages(c)).as("%s %s %s", run, stage, c).isEqualTo(expected);
        }
        assertThat(p.hardKernelPages()).isEqualTo(csv.get("hard kernel (slab+page tables+reserved+other)"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("org.sonicmigration.guest.agent.AgentData#stages")
    void softSetIsExactlyTheFreeAndCleanCacheFrames(String run, String stage) {
        AgentScan scan = KpageScanner.scan(AgentData.files(run, stage));
        // an independent reading of the same files: the profile package's own loader
        MemoryProfile reference = MemoryProfile.load(AgentData.dir(run), stage);
        assertThat(scan.profile().classOrdinals()).isEqualTo(reference.classOrdinals());

        SoftSet soft = scan.soft();
        assertThat(soft.size()).isEqualTo(reference.pfnCount());
        for (long pfn = 0; pfn < reference.pfnCount(); pfn++) {
            PageClass c = reference.classOf(pfn);
            if (soft.contains(pfn) != (c == PageClass.FREE || c == PageClass.CLEAN_CACHE)) {
                throw new AssertionError(run + " " + stage + ": pfn " + pfn + " of class " + c + " is "
                        + (soft.contains(pfn) ? "" : "not ") + "in the soft set");
            }
        }
        assertThat(soft.cardinality()).isEqualTo(reference.pages(PageClass.FREE) + reference.pages(PageClass.CLEAN_CACHE));
        assertThat(KpageScanner.softSet(reference)).isEqualTo(soft);
    }

    @Test
    void chunkBoundariesDoNotMatter() {
        KpageFiles whole = AgentData.files("run1", "user1024");
        // 1000 frames per read: no chunk boundary falls on a run boundary by design
        KpageFiles small = new KpageFiles(whole.kpageflags(), whole.kpagecount(), 1000);
        AgentScan a = KpageScanner.scan(whole);
        AgentScan b = KpageScanner.scan(small);
        assertThat(b.profile().classOrdinals()).isEqualTo(a.profile().classOrdinals());
        assertThat(b.soft()).isEqualTo(a.soft());
    }

    @Test
    void cacheStageSoftShareIsThePhysicalLimitOfLinuxFacts() {
        // linux-facts.md: in the cache stage at most ≈ 93.9 % of the pages can be skipped (≈ 124 MiB must be sent)
        AgentScan scan = KpageScanner.scan(AgentData.files("run1", "cache"));
        double share = (double) scan.soft().cardinality() / scan.profile().pfnCount();
        assertThat(share).isCloseTo(0.939, within(0.0005));
        double mustSend = MemoryProfile.toMib(scan.profile().pfnCount() - scan.soft().cardinality());
        assertThat(mustSend).isCloseTo(124.26, within(0.01));
    }
}
