package org.sonicmigration.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user meets it: exit codes, one-line errors, reports that scripts can read. */
class SonicCliTest {

    record Run(int code, String out, String err) {}

    /** The report of a migration's {@code --json} output: its last line. */
    static JsonNode report(String out) throws java.io.IOException {
        List<String> lines = out.strip().lines().toList();
        JsonNode json = PrettyJson.MAPPER.readTree(lines.getLast());
        assertThat(json.get("event").asText()).isEqualTo("report");
        return json;
    }

    static Run sonic(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Sonic.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void simulateWithJsonGivesAVerifiedReport() throws Exception {
        Run r = sonic("simulate", "--memory", "64M", "--workload", "writer:5000:8", "--bandwidth", "1Gbit",
                "--virtual-time", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode json = report(r.out());
        assertThat(json.at("/migration/outcome").asText()).isEqualTo("COMPLETED");
        assertThat(json.at("/verification/passed").asBoolean()).isTrue();
        assertThat(json.at("/migration/iterations").size()).isGreaterThan(1);
        assertThat(json.at("/setup/bandwidthBytesPerSecond").asLong()).isEqualTo(125_000_000L);
    }

    @Test
    void wrongArgumentsGiveOneLineAndExitCode2() {
        for (String[] args : new String[][] {
                {"simulate", "--memory", "lots"},
                {"simulate", "--bandwidth", "fast"},
                {"simulate", "--workload", "dance:3"},
                {"simulate", "--virtual-time"},
                {"simulate", "--max-iterations", "-1"},
                {"frobnicate"}}) {
            Run r = sonic(args);
            assertThat(r.code()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
            assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    @Test
    void aSaveRefusesANonPositiveHandshakeTimeout(@TempDir Path dir) {
        Run r = sonic("save", "--memory", "64M", "--handshake-timeout", "0", "-o", dir.resolve("s.xlsave").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("sonic save: --handshake-timeout must be positive, got 0").doesNotContain("\n");
        assertThat(dir.resolve("s.xlsave")).doesNotExist();
    }

    @Test
    void debugShowsTheStackTrace(@TempDir Path dir) {
        Run plain = sonic("restore", "--dry-run", dir.resolve("missing.xlsave").toString());
        assertThat(plain.code()).isEqualTo(1);
        assertThat(plain.err()).startsWith("sonic: no such file").doesNotContain("\tat ");
        Run debug = sonic("--debug", "restore", "--dry-run", dir.resolve("missing.xlsave").toString());
        assertThat(debug.err()).contains("\tat ");
    }

    @Test
    void aSavedStreamRestoresAndItsDamageIsNamed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("guest.xlsave");
        // --soft off: every page goes with data (a simulated guest has a hint area, whose soft pages a save skips)
        Run save = sonic("save", "--memory", "64M", "--soft", "off", "-o", file.toString());
        assertThat(save.code()).as(save.err()).isZero();
        Run check = sonic("restore", "--dry-run", file.toString());
        assertThat(check.code()).as(check.err()).isZero();
        assertThat(check.out()).contains("complete stream").contains("PAGE_DATA");
        Run restore = sonic("restore", "--backend", "sim", file.toString());
        assertThat(restore.code()).as(restore.err()).isZero();
        // 64 MiB of RAM is 16384 pages, plus the special pages Xen gives a PVH guest below 4 GiB.
        var m = java.util.regex.Pattern.compile("(\\d+) pages with data").matcher(restore.out());
        assertThat(m.find()).as(restore.out()).isTrue();
        assertThat(Long.parseLong(m.group(1))).isBetween(16384L, 16384L + 64);

        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Run truncated = sonic("restore", "--dry-run", file.toString());
        assertThat(truncated.code()).as("a stream check that fails").isEqualTo(5);
        assertThat(truncated.err()).contains("not a valid stream").contains("truncated at offset");
    }

    @Test
    void everyCommandHasHelp() {
        for (String c : new String[] {"simulate", "save", "restore", "migrate", "receive", "backends", "experiment",
                "hints"}) {
            Run r = sonic(c, "--help");
            assertThat(r.code()).as(c + " --help: " + r.err()).isZero();
            assertThat(r.out()).as(c).contains("Usage: sonic " + c);
        }
    }

    @Test
    void theVersionNamesEveryXenLibraryFoundOrWhyNot() {
        Run r = sonic("--version");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("sonic ").contains("Xen libraries:");
        for (var lib : org.sonicmigration.ffi.support.XenLibrary.values()) {
            assertThat(r.out()).containsPattern(java.util.regex.Pattern.quote(lib.soname())
                    + " +(found|not found: " + java.util.regex.Pattern.quote(lib.soname()) + " missing: apt-get install \\S+)");
        }
    }

    @Test
    void backendsExplainThemselves() {
        Run r = sonic("backends");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("sim").contains("available");
    }
}
