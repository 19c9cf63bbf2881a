package org.sonicmigration.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sonicmigration.spi.PlatformState;

/**
 * Runs Xen 4.17's own stream checker, {@code verify-stream-v2} from Debian's xen-utils-4.17, on streams
 * our writer produces. The checker is found under {@code SONIC_XEN_UTILS} (system property or
 * environment variable, default /opt/xen-utils); without it the tests fail when {@code CI=true} and are
 * skipped otherwise.
 */
class XenStreamCheckerTest {

    private static final String INSTALL_HINT = "run xen-bridge/src/test/scripts/install-xen-utils.sh [DIR] "
            + "(= apt-get download xen-utils-4.17 && dpkg -x xen-utils-4.17_*.deb DIR) "
            + "and point SONIC_XEN_UTILS at DIR if it is not /opt/xen-utils";

    /** Makes the checker skip bit-31 records the way libxc's restorer does (4.17's checker refuses any unknown type). */
    private static final String OPTIONAL_AWARE_WRAPPER = """
            import runpy, sys
            from xen.migration import libxc

            class OptionalAware(dict):
                def __init__(self, base, default):
                    dict.__init__(self, base)
                    self.default = default
                def __contains__(self, key):
                    return dict.__contains__(self, key) or bool(key & 0x80000000)
                def __missing__(self, key):
                    if key & 0x80000000:
                        return self.default
                    raise KeyError(key)

            libxc.rec_type_to_str = OptionalAware(libxc.rec_type_to_str, "Optional record (skipped)")
            libxc.record_verifiers = OptionalAware(libxc.record_verifiers, lambda verifier, content: None)
            script = sys.argv.pop(1)
            sys.argv[0] = script
            runpy.run_path(script, run_name="__main__")
            """;

    private static Path checker;
    private static Path pythonPath;

    @TempDir
    Path dir;

    record Result(int exitCode, String output) {
        List<String> libxcRecords() {
            List<String> names = new ArrayList<>();
            Matcher m = Pattern.compile("Libxc Record: (.+), length").matcher(output);
            while (m.find()) {
                names.add(m.group(1));
            }
            return names;
        }
    }

    @BeforeAll
    static void locateChecker() throws Exception {
        String base = System.getProperty("SONIC_XEN_UTILS", System.getProperty("sonic.xen.utils",
                System.getenv().getOrDefault("SONIC_XEN_UTILS", "/opt/xen-utils")));
        checker = Path.of(base, "usr/lib/xen-4.17/bin/verify-stream-v2");
        pythonPath = Path.of(base, "usr/lib/xen-4.17/lib/python");
        if (!Files.isRegularFile(checker) || !Files.isDirectory(pythonPath.resolve("xen/migration"))) {
            unavailable("Xen's verify-stream-v2 is not installed under " + base + ": " + INSTALL_HINT);
        }
        Process p;
        try {
            p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
        } catch (IOException e) {
            unavailable("python3 (needed by verify-stream-v2) is not on the PATH: apt-get install python3");
            return;
        }
        p.getInputStream().readAllBytes();
        if (p.waitFor() != 0) {
            unavailable("python3 --version failed");
        }
    }

    private static void unavailable(String message) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message);
        }
        assumeTrue(false, message);
    }

    private Result check(byte[] stream, String format, boolean optionalAware) throws Exception {
        Path file = Files.createTempFile(dir, "stream", ".bin");
        Files.write(file, stream);
        List<String> cmd = new ArrayList<>(List.of("python3"));
        if (optionalAware) {
            Path wrapper = dir.resolve("optional_aware.py");
            Files.writeString(wrapper, OPTIONAL_AWARE_WRAPPER);
            cmd.add(wrapper.toString());
        }
        cmd.addAll(List.of(checker.toString(), "-f", format, "-i", file.toString(), "-v"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PYTHONPATH", pythonPath.toString());
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("verify-stream-v2 did not finish: " + out);
        }
        return new Result(p.exitValue(), out);
    }

    private void assertAccepted(byte[] stream, String format) throws Exception {
        Result r = check(stream, format, false);
        assertThat(r.exitCode()).as("verify-stream-v2 -f %s said:%n%s", format, r.output()).isZero();
    }

    @Test
    void acceptsAnXlStreamWithEveryPageType() throws Exception {
        Result r = check(Fixtures.smallStream(Framing.XL, Fixtures.xenLikeState()), "xl", false);
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("Processed xl header", "Domain Header: x86 HVM from Xen 4.17");
        assertThat(r.libxcRecords()).containsExactly("x86 CPUID policy", "x86 MSR policy", "Static data end",
                "TSC info", "HVM context", "HVM params", "End");
    }

    @Test
    void acceptsLibxlAndBareLibxcFraming() throws Exception {
        assertAccepted(Fixtures.smallStream(Framing.LIBXL, Fixtures.xenLikeState()), "libxl");
        assertAccepted(Fixtures.smallStream(Framing.LIBXC, Fixtures.xenLikeState()), "libxc");
    }

    @Test
    void acceptsEmptyPoliciesAndNoHvmParams() throws Exception {
        PlatformState bare = Fixtures.state(0, new long[0], 1, new long[0]);
        Result r = check(Fixtures.smallStream(Framing.XL, bare), "xl", false);
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.libxcRecords()).containsExactly("Static data end", "TSC info", "HVM context", "HVM params", "End");
    }

    @Test
    void acceptsFullBatchesOfSoftPages() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StreamWriter w = new StreamWriter(out);
        Fixtures.begin(w, Framing.XL);
        w.writeStaticState(Fixtures.xenLikeState());
        for (int batch = 0; batch < 3; batch++) {
            long[] pfns = new long[1024];
            PageType[] types = new PageType[1024];
            for (int i = 0; i < 1024; i++) {
                pfns[i] = batch * 1024L + i;
                types[i] = i % 4 == 0 ? PageType.NOTAB : i % 4 == 1 ? PageType.XALLOC : PageType.XTAB;
            }
            w.writePages(pfns, types, 1024, MemorySegment.ofArray(Fixtures.pagesFor(pfns, types, 1024, batch)));
        }
        w.writeFinalState(Fixtures.xenLikeState());
        Fixtures.end(w, Framing.XL);
        assertAccepted(out.toByteArray(), "xl");
    }

    @Test
    void acceptsTheHandBuiltXenLayoutTheReaderTestsUse() throws Exception {
        assertAccepted(Fixtures.xenLikeSave(0xfefff, Fixtures.pvhPopulated(512), Fixtures.xenLikeState()), "xl");
    }

    @Test
    void ourOptionalRecordsPassWhenSkippedAsLibxcsRestorerDoes() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StreamWriter w = new StreamWriter(out);
        Fixtures.begin(w, Framing.XL);
        w.writeOptionalRecord(0x8000_0001, "hint summary".getBytes(StandardCharsets.UTF_8));
        w.writeStaticState(Fixtures.xenLikeState());
        w.writePages(new long[] {1, 2}, new PageType[] {PageType.NOTAB, PageType.XALLOC}, 2,
                MemorySegment.ofArray(Fixtures.page(1, 0)));
        w.writeOptionalRecord(0x8000_0002, new byte[13]);
        w.writeFinalState(Fixtures.xenLikeState());
        w.writeOptionalRecord(0x8000_0003, new byte[0]);
        Fixtures.end(w, Framing.XL);
        byte[] stream = out.toByteArray();

        Result strict = check(stream, "xl", false);
        assertThat(strict.exitCode()).as("4.17's checker knows no optional records: %s", strict.output()).isEqualTo(1);
        assertThat(strict.output()).contains("Unrecognised record type 0x80000001");

        Result skipping = check(stream, "xl", true);
        assertThat(skipping.exitCode()).as(skipping.output()).isZero();
        assertThat(skipping.libxcRecords()).containsExactly("Optional record (skipped)", "x86 CPUID policy",
                "x86 MSR policy", "Static data end", "Optional record (skipped)", "TSC info", "HVM context",
                "HVM params", "Optional record (skipped)", "End");
    }

    @Test
    void theCheckerDoesCatchAMalformedStream() throws Exception {
        byte[] stream = Fixtures.smallStream(Framing.XL, Fixtures.xenLikeState());
        int at = Fixtures.findRecord(stream, RecordTypes.PAGE_DATA, 8 + 4 * 8 + 4096);
        assertThat(at).isPositive();
        ByteBuffer.wrap(stream, at + 8, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(3);
        Result r = check(stream, "xl", false);
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.output()).contains("Stream Error");
    }
}
