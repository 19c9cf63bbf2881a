package org.sonicmigration.guest.profile;

import org.sonicmigration.testsupport.ProfileData;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every stage of both measured runs classifies to exactly the totals the data folder's classes.csv lists. */
class MemoryProfileDataTest {

    static Stream<Arguments> stages() {
        List<String> stages = List.of("boot", "cache", "user256", "user1024", "user1536", "drop");
        return Stream.of("run1", "run2").flatMap(run -> stages.stream().map(s -> Arguments.of(run, s)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("stages")
    void totalsMatchClassesCsvExactly(String run, String stage) throws IOException {
        Path dir = run.equals("run1") ? ProfileData.linux61() : ProfileData.linux61().resolve("run2");
        MemoryProfile p = MemoryProfile.load(dir, stage);
        Map<String, Long> expected = csv(run, stage);

        assertThat(p.pfnCount()).isEqualTo(524288);
        for (PageClass c : PageClass.values()) {
            assertThat(expected).as("classes.csv has class %s", c.label()).containsKey(c.label());
            assertThat(p.pages(c)).as("%s %s %s", run, stage, c).isEqualTo(expected.get(c.label()));
        }
        assertThat(p.hardKernelPages()).isEqualTo(expected.get("hard kernel (slab+page tables+reserved+other)"));
        assertThat(p.totals().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(p.pfnCount());
    }

    @Test
    void reservedRunsSitWhereTheReadmeSays() {
        MemoryProfile p = MemoryProfile.load(ProfileData.linux61(), "boot");
        List<PfnRun> big = p.runs(PageClass.RESERVED).stream().filter(r -> r.length() >= 64).toList();
        assertThat(big).extracting(PfnRun::start).startsWith(0L, 146432L);
        assertThat(big).extracting(PfnRun::length).contains(256L, 3586L, 2283L, 1604L, 3828L, 574L, 8192L, 811L);
        assertThat(p.runs().stream().mapToLong(PfnRun::length).sum()).isEqualTo(p.pfnCount());
    }

    @Test
    void rawUncompressedFilesGiveTheSameProfile(@TempDir Path tmp) throws IOException {
        Path dir = ProfileData.linux61();
        for (String kind : List.of("kpageflags", "kpagecount")) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(dir.resolve("cache." + kind + ".gz")));
                 OutputStream out = Files.newOutputStream(tmp.resolve("cache." + kind))) {
                in.transferTo(out);
            }
        }
        MemoryProfile raw = MemoryProfile.load(tmp, "cache");
        MemoryProfile gz = MemoryProfile.load(dir, "cache");
        assertThat(raw.totals()).isEqualTo(gz.totals());
        assertThat(raw.classOrdinals()).isEqualTo(gz.classOrdinals());
    }

    private static Map<String, Long> csv(String run, String stage) throws IOException {
        Map<String, Long> m = new HashMap<>();
        for (String line : Files.readAllLines(ProfileData.linux61().resolve("classes.csv"))) {
            if (!line.startsWith(run + "," + stage + ",")) {
                continue;
            }
            // the class label may itself contain commas: pages and MB are the last two fields
            int last = line.lastIndexOf(',');
            int pagesComma = line.lastIndexOf(',', last - 1);
            String label = line.substring(run.length() + stage.length() + 2, pagesComma);
            m.put(label, Long.parseLong(line.substring(pagesComma + 1, last)));
        }
        assertThat(m).as("classes.csv rows for %s %s", run, stage).isNotEmpty();
        return m;
    }
}
