package org.sonicmigration.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sonicmigration.cli.SonicCliTest.Run;
import org.sonicmigration.spi.PlatformState;
import org.sonicmigration.stream.DomainHeader;
import org.sonicmigration.stream.PageType;
import org.sonicmigration.stream.StreamWriter;

/**
 * {@code restore --dry-run} checks what a restore would: every stream a restore on the simulator
 * refuses (a frame beyond the configured memory, more frames than it allows, a config that claims too
 * much or is not JSON, records out of order), the dry run refuses with the very same line, and what the
 * restore accepts the dry run does.
 */
class RestoreDryRunTest {
    private static final String CONFIG = "{\"c_info\":{\"name\":\"dry\"},\"b_info\":{\"max_memkb\":131072}}";

    @Test
    void aDryRunRefusesWhatTheRestoreRefusesWithTheSameLine(@TempDir Path dir) throws Exception {
        record Case(String name, byte[] stream, String reason) {}
        List<Case> cases = List.of(
                // 128 MiB of RAM: frame 2^51-1 lies far beyond anything the domain may populate.
                new Case("frame-beyond-memory", stream(CONFIG, (1L << 51) - 1), "lies beyond the domain's frame space"),
                new Case("memory-claim", stream("{\"b_info\":{\"max_memkb\":" + (1L << 40) + "}}", 1),
                        "more than the"),
                new Case("config-not-json", stream("{\"c_info\":", 1), "not valid JSON"),
                // 64 KiB of RAM and Xen's 1 MiB of slack: 272 frames; 300 distinct ones, all inside the frame
                // space (and some sent twice, which does not count), are more than the domain may hold.
                new Case("count-beyond-maxmem", stream("{\"b_info\":{\"max_memkb\":64}}",
                        java.util.stream.LongStream.concat(java.util.stream.LongStream.range(0, 300),
                                java.util.stream.LongStream.range(0, 50)).map(i -> i * 7).toArray()),
                        "the stream populates more than the 272 frames the domain's configured memory allows"),
                new Case("pages-before-static-data-end", pagesBeforeStaticDataEnd(), "page data before STATIC_DATA_END"));
        for (Case c : cases) {
            Path file = dir.resolve(c.name() + ".xlsave");
            Files.write(file, c.stream());
            Run dry = SonicCliTest.sonic("restore", "--dry-run", file.toString());
            Run real = SonicCliTest.sonic("restore", "--backend", "sim", file.toString());
            // A malformed stream is a failed stream check (5) either way; a refused domain is one for a dry run.
            boolean malformed = c.name().equals("pages-before-static-data-end");
            assertThat(real.code()).as(c.name() + ": " + real.out()).isEqualTo(malformed ? 5 : 1);
            assertThat(real.err()).as(c.name()).contains(c.reason());
            assertThat(dry.code()).as(c.name() + ": " + dry.out()).isEqualTo(5);
            assertThat(dry.err()).as(c.name()).isEqualTo(real.err());
            assertThat(dry.err().strip().lines().count()).as(dry.err()).isEqualTo(1);
            assertThat(dry.out()).as(c.name()).doesNotContain("complete stream");
        }
    }

    @Test
    void aDryRunAcceptsWhatTheRestoreAccepts(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("good.xlsave");
        Files.write(file, stream(CONFIG, 0x100));
        Run dry = SonicCliTest.sonic("restore", "--dry-run", file.toString());
        assertThat(dry.code()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("complete stream");
        Run real = SonicCliTest.sonic("restore", "--backend", "sim", file.toString());
        assertThat(real.code()).as(real.err()).isZero();
        assertThat(real.out()).contains("1 pages with data");
    }

    @Test
    void aBlankNameInTheConfigIsNoName(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("blank.xlsave");
        Files.write(file, stream("{\"c_info\":{\"name\":\" \"},\"b_info\":{\"max_memkb\":131072}}", 0x100));
        Run dry = SonicCliTest.sonic("restore", "--dry-run", file.toString());
        assertThat(dry.code()).as(dry.err()).isZero();
        Run real = SonicCliTest.sonic("restore", "--backend", "sim", file.toString());
        assertThat(real.code()).as(real.err()).isZero();
        assertThat(real.out()).contains("domain restored");
    }

    /** An xl stream with the given config and one page of data at {@code pfn}. */
    private static byte[] stream(String config, long pfn) {
        return stream(config, new long[] {pfn});
    }

    /** An xl stream with the given config and a page of data at each of {@code pfns}, in records of 100. */
    private static byte[] stream(String config, long[] pfns) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StreamWriter w = new StreamWriter(out);
        w.writeXlHeader(config);
        w.writeLibxlHeader();
        w.beginLibxc(DomainHeader.hvm(4, 17));
        PlatformState s = state();
        w.writeStaticState(s);
        for (int at = 0; at < pfns.length; at += 100) {
            int n = Math.min(100, pfns.length - at);
            PageType[] types = new PageType[n];
            java.util.Arrays.fill(types, PageType.NOTAB);
            w.writePages(java.util.Arrays.copyOfRange(pfns, at, at + n), types, n,
                    MemorySegment.ofArray(new byte[4096 * n]));
        }
        w.writeFinalState(s);
        w.endLibxc();
        w.endLibxl();
        return out.toByteArray();
    }

    private static PlatformState state() {
        return new PlatformState(new byte[24], new byte[16], new PlatformState.TscInfo(0, 1_000_000, 0, 0),
                new byte[8], List.of(new PlatformState.HvmParam(12, 0xfeffd)));
    }

    /** A bare libxc stream (version 3) whose PAGE_DATA comes before STATIC_DATA_END. */
    private static byte[] pagesBeforeStaticDataEnd() {
        ByteBuffer b = ByteBuffer.allocate(24 + 16 + 8 + 16 + 4096).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {-1, -1, -1, -1, -1, -1, -1, -1, 'X', 'E', 'N', 'F', 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0});
        b.putInt(2).putShort((short) 12).putShort((short) 0).putInt(4).putInt(17);
        b.putInt(1).putInt(8 + 8 + 4096).putInt(1).putInt(0).putLong(0x10);
        return b.array();
    }
}
