package org.sonicmigration.stream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.sonicmigration.spi.PlatformState;

/**
 * Writes the seed corpora of this module's fuzz tests, streams made by {@link StreamWriter} and their
 * truncations, into {@code src/test/resources}; run with {@code scripts/fuzz.sh seeds}. Seeds stay a
 * few KB each so that the corpus replay in every build is quick. Regression inputs for findings, and
 * the {@code claims-*} seeds whose lengths lie (a 128 MiB body, 4 GiB of xl config, 1024 pages of data
 * that never arrive), are made by hand beside them.
 */
@EnabledIfSystemProperty(named = "sonic.fuzz.writeSeeds", matches = "true")
class FuzzSeedWriter {
    private static final Path RESOURCES = Path.of("src/test/resources/org/sonicmigration");
    /** A small config as xl writes one: a name and 128 MiB of memory. */
    static final String CONFIG = "{\"c_info\":{\"type\":\"pvh\",\"name\":\"seed\"},\"b_info\":{\"max_memkb\":131072}}";

    @Test
    void writeStreamSeeds() throws IOException {
        Path reader = dir("stream/StreamReaderFuzzTestInputs/streamReader");
        Path dryRun = dir("receiver/ReceiverFuzzTestInputs/dryRun");
        for (Framing f : Framing.values()) {
            byte[] s = tiny(f, CONFIG, new long[] {0x10, 0x11, 0x12});
            String name = "tiny-" + f.name().toLowerCase(java.util.Locale.ROOT);
            for (Path d : List.of(reader, dryRun)) {
                Files.write(d.resolve(name), s);
                Files.write(d.resolve(name + "-half"), Arrays.copyOf(s, s.length / 2));
                Files.write(d.resolve(name + "-headers"), Arrays.copyOf(s, Math.min(s.length, 200)));
            }
        }
        // Refused by the receiver, not the reader: a frame far beyond the configured memory, and a
        // configuration that claims more memory than a receiver accepts.
        Files.write(dryRun.resolve("frame-beyond-memory"), tiny(Framing.XL, CONFIG, new long[] {(1L << 51) - 1}));
        Files.write(dryRun.resolve("memory-claim-too-big"), tiny(Framing.XL,
                "{\"b_info\":{\"max_memkb\":" + (1L << 40) + "}}", new long[] {1}));
        Files.write(dryRun.resolve("config-not-json"), tiny(Framing.XL, "{\"c_info\":", new long[] {1}));
    }

    @Test
    void writeConfigSeeds() throws IOException {
        Path config = dir("receiver/ReceiverFuzzTestInputs/configJson");
        Files.writeString(config.resolve("xl-config"), Fixtures.xlConfig());
        Files.writeString(config.resolve("small"), CONFIG);
        Files.writeString(config.resolve("huge-memory"), "{\"b_info\":{\"max_memkb\":1e300}}");
        Path libxl = dir("xen/backend/DomainConfigJsonFuzzTestInputs/forNewDomain");
        Files.writeString(libxl.resolve("libxl-config"), Fixtures.xlConfig().replace("\"c_info\": {", "\"c_info\": {\"domid\": 7,"));
        Files.writeString(libxl.resolve("no-c-info"), "{\"b_info\":{}}");
    }

    /**
     * A stream of the given framing: one page with data and the rest allocate-only (XALLOC), so that a
     * seed stays near 5 KB; a small platform state.
     */
    static byte[] tiny(Framing framing, String config, long[] pfns) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StreamWriter w = new StreamWriter(out);
        if (framing == Framing.XL) {
            w.writeXlHeader(config);
        }
        if (framing != Framing.LIBXC) {
            w.writeLibxlHeader();
        }
        w.beginLibxc(DomainHeader.hvm(4, 17));
        PlatformState state = Fixtures.state(2, new long[] {0xce}, 24, new long[] {12});
        w.writeStaticState(state);
        PageType[] types = new PageType[pfns.length];
        Arrays.fill(types, PageType.XALLOC);
        types[0] = PageType.NOTAB;
        w.writePages(pfns, types, pfns.length, MemorySegment.ofArray(Fixtures.pagesFor(pfns, types, pfns.length, 1)));
        long[] hole = {0x20};
        w.writePages(hole, new PageType[] {PageType.XTAB}, 1, MemorySegment.ofArray(new byte[0]));
        w.writeFinalState(state);
        w.endLibxc();
        if (framing != Framing.LIBXC) {
            w.endLibxl();
        }
        return out.toByteArray();
    }

    private static Path dir(String path) throws IOException {
        Path d = RESOURCES.resolve(path);
        Files.createDirectories(d);
        return d;
    }
}
