package org.sonicmigration.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sonicmigration.guest.profile.MemoryProfile;
import org.sonicmigration.guest.profile.PageClass;
import org.sonicmigration.guest.profile.ProfileJson;

/**
 * {@code sonic hints scan} on the saved 6.1 snapshots, its profile export, and {@code sonic simulate/save
 * --profile} replaying it.
 */
class HintsCommandTest {

    record Run(int code, String out, String err) {}

    static Run sonic(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Sonic.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    static Path data() {
        String dir = System.getProperty("sonic.profiles.dir");
        assertThat(dir).as("system property sonic.profiles.dir").isNotNull();
        Path p = Path.of(dir);
        assertThat(p).isDirectory();
        return p;
    }

    static String[] scan(String run, String stage, String... more) {
        Path d = run.equals("run1") ? data() : data().resolve("run2");
        String[] base = {"hints", "scan", "--kpageflags", d.resolve(stage + ".kpageflags.gz").toString(),
                "--kpagecount", d.resolve(stage + ".kpagecount.gz").toString(),
                "--meminfo", d.resolve(stage + ".meminfo").toString()};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    static Map<String, Long> classesCsv(String run, String stage) throws IOException {
        Map<String, Long> m = new HashMap<>();
        for (String line : Files.readAllLines(data().resolve("classes.csv"))) {
            if (line.startsWith(run + "," + stage + ",")) {
                int last = line.lastIndexOf(',');
                int pagesComma = line.lastIndexOf(',', last - 1);
                m.put(line.substring(run.length() + stage.length() + 2, pagesComma), Long.parseLong(line.substring(pagesComma + 1, last)));
            }
        }
        assertThat(m).isNotEmpty();
        return m;
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"run1, cache", "run1, boot", "run2, user1536", "run2, drop"})
    void scanOfASavedStagePrintsTheTotalsOfClassesCsv(String run, String stage) throws IOException {
        Run r = sonic(scan(run, stage));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        Map<String, Long> csv = classesCsv(run, stage);
        for (PageClass c : PageClass.values()) {
            Matcher m = Pattern.compile("(?m)^  " + Pattern.quote(c.label()) + " +(\\d+) +[0-9.]+$").matcher(r.out());
            assertThat(m.find()).as("row for %s in%n%s", c.label(), r.out()).isTrue();
            assertThat(Long.parseLong(m.group(1))).as("%s %s %s", run, stage, c).isEqualTo(csv.get(c.label()));
        }
        assertThat(r.out()).contains("sum of classes").contains("524288").contains("Cached+Buffers")
                .contains("physical limit");
    }

    @Test
    void jsonGivesTotalsMeminfoRowsAndTheSoftShare() throws IOException {
        Run r = sonic(scan("run1", "cache", "--json"));
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode json = PrettyJson.MAPPER.readTree(r.out());
        Map<String, Long> csv = classesCsv("run1", "cache");
        assertThat(json.at("/pfnCount").asLong()).isEqualTo(524_288);
        assertThat(json.at("/classes").size()).isEqualTo(PageClass.values().length);
        for (JsonNode c : json.at("/classes")) {
            assertThat(c.at("/pages").asLong()).as(c.at("/label").asText()).isEqualTo(csv.get(c.at("/label").asText()));
        }
        // linux-facts.md: the cache stage's physical limit is ≈ 93.9 % skipped, ≈ 124 MiB sent
        assertThat(json.at("/soft/fractionOfRam").asDouble()).isBetween(0.9385, 0.9395);
        assertThat(json.at("/soft/mustSendMib").asDouble()).isBetween(124.2, 124.3);
        JsonNode cached = null;
        for (JsonNode row : json.at("/meminfo")) {
            if (row.at("/field").asText().equals("Cached+Buffers")) {
                cached = row;
            }
        }
        assertThat(cached).isNotNull();
        assertThat(cached.at("/differenceKib").asLong()).isZero();
        assertThat(cached.at("/meminfoKib").asLong()).isEqualTo(1_899_120);
    }

    @Test
    void anExportedCacheProfileReplaysInAVerifiedMigration(@TempDir Path tmp) throws Exception {
        Path profile = tmp.resolve("cache.json");
        Run scan = sonic(scan("run1", "cache", "--profile", profile.toString()));
        assertThat(scan.code()).as(scan.err()).isZero();
        assertThat(scan.out()).contains("profile saved to " + profile);
        MemoryProfile saved = ProfileJson.read(profile, MemoryProfile.MAX_PFNS);
        assertThat(saved.pages(PageClass.CLEAN_CACHE)).isEqualTo(473_224);

        Run sim = sonic("simulate", "--profile", profile.toString(), "--virtual-time", "--bandwidth", "1Gbit", "--json");
        assertThat(sim.code()).as(sim.err()).isZero();
        JsonNode json = SonicCliTest.report(sim.out());
        assertThat(json.at("/migration/outcome").asText()).isEqualTo("COMPLETED");
        assertThat(json.at("/verification/passed").asBoolean()).isTrue();
        assertThat(json.at("/setup/memoryBytes").asLong()).as("the profile sets the size").isEqualTo(2048L << 20);
    }

    @Test
    void memoryAgreeingWithTheProfileIsAcceptedAndSaveReplaysToo(@TempDir Path tmp) throws Exception {
        // a small profile (64 MiB) keeps this quick: free, cache, anon and kernel pages in runs
        PageClass[] classes = new PageClass[16384];
        for (int i = 0; i < classes.length; i++) {
            classes[i] = i < 256 ? PageClass.RESERVED : i < 6000 ? PageClass.CLEAN_CACHE : i < 9000 ? PageClass.ANON
                    : i < 9500 ? PageClass.SLAB : PageClass.FREE;
        }
        Path profile = tmp.resolve("small.json");
        ProfileJson.write(MemoryProfile.of(classes, "test"), profile);

        Run sim = sonic("simulate", "--profile", profile.toString(), "--memory", "64M", "--virtual-time",
                "--bandwidth", "1Gbit", "--json");
        assertThat(sim.code()).as(sim.err()).isZero();
        assertThat(SonicCliTest.report(sim.out()).at("/verification/passed").asBoolean()).isTrue();

        Path stream = tmp.resolve("small.xlsave");
        Run save = sonic("save", "--profile", profile.toString(), "-o", stream.toString());
        assertThat(save.code()).as(save.err()).isZero();
        Run check = sonic("restore", "--dry-run", stream.toString());
        assertThat(check.code()).as(check.err()).isZero();
        assertThat(check.out()).contains("complete stream");
    }

    @Test
    void wrongArgumentsGiveOneLineAndExitCode2(@TempDir Path tmp) throws IOException {
        Path profile = tmp.resolve("p.json");
        ProfileJson.write(smallProfile(), profile);
        for (String[] args : new String[][] {
                {"hints"},
                {"hints", "scan", "--kpageflags", "x"},
                {"hints", "scan", "--kpagecount", "x"},
                {"hints", "scan", "--bogus"},
                {"hints", "frob"},
                {"simulate", "--profile", profile.toString(), "--memory", "1G"},
                {"save", "--profile", profile.toString(), "-m", "32M", "-o", tmp.resolve("o").toString()}}) {
            Run r = sonic(args);
            assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(2);
            assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
            assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
        }
        assertThat(sonic("simulate", "--profile", profile.toString(), "--memory", "1G").err())
                .contains("--memory 1 GiB differs from the 16.0 MiB of --profile");
    }

    @Test
    void unreadableInputFailsWithOneLineAndExitCode1(@TempDir Path tmp) throws IOException {
        Path missing = tmp.resolve("missing.kpageflags");
        Run r = sonic("hints", "scan", "--kpageflags", missing.toString(), "--kpagecount", missing.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("sonic hints scan: no such file: " + missing + System.lineSeparator());

        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, "{\"format\":\"sonic-memory-profile\",\"version\":7}");
        Run sim = sonic("simulate", "--profile", bad.toString(), "--virtual-time", "--bandwidth", "1Gbit");
        assertThat(sim.code()).isEqualTo(1);
        assertThat(sim.err().strip()).isEqualTo("sonic: " + bad + ": version 7 is not supported (this reader knows 1) (line 1)");

        Run noProfile = sonic("simulate", "--profile", tmp.resolve("none.json").toString());
        assertThat(noProfile.code()).isEqualTo(1);
        assertThat(noProfile.err()).startsWith("sonic: no such profile file: ");

        Path snapshot = data().resolve("cache.kpageflags.gz");
        Run badProfileTarget = sonic("hints", "scan", "--kpageflags", snapshot.toString(), "--kpagecount",
                data().resolve("cache.kpagecount.gz").toString(), "--profile", tmp.resolve("no/dir/p.json").toString());
        assertThat(badProfileTarget.code()).isEqualTo(1);
        assertThat(badProfileTarget.err()).startsWith("sonic hints scan: cannot write profile ").doesNotContain("\tat ");
    }

    @Test
    void scanningThisMachineWorksWhenRoot() {
        // /proc/kpageflags is root-only; where it cannot be read the command's message is checked instead
        Run r = sonic("hints", "scan");
        if (Files.isReadable(Path.of("/proc/kpageflags"))) {
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).contains("/proc/kpageflags").contains("/proc/meminfo").contains("MemFree");
        } else {
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err().strip()).isIn("sonic hints scan needs root: /proc/kpageflags is readable by root only",
                    "sonic hints scan: /proc/kpageflags does not exist (not Linux, or a kernel without CONFIG_PROC_PAGE_MONITOR)");
        }
    }

    private static MemoryProfile smallProfile() {
        PageClass[] c = new PageClass[4096];
        java.util.Arrays.fill(c, PageClass.FREE);
        return MemoryProfile.of(c, "t");
    }
}
