package org.sonicmigration.guest;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.sonicmigration.guest.profile.MemoryProfile;
import org.sonicmigration.guest.profile.PageClass;
import org.sonicmigration.guest.profile.ProfileJson;

/**
 * Writes the seed corpora of this module's fuzz tests from our own writers (areas, profiles) into
 * {@code src/test/resources}; run with {@code scripts/fuzz.sh seeds}. Seeds stay a few KB each so the
 * corpus replay in every build is quick. Regression inputs for findings are added by hand beside them.
 */
@EnabledIfSystemProperty(named = "sonic.fuzz.writeSeeds", matches = "true")
class FuzzSeedWriter {
    private static final Path RESOURCES = Path.of("src/test/resources/org/sonicmigration/guest");

    @Test
    void writeHintAreaSeeds() throws IOException {
        Path dir = RESOURCES.resolve("HintAreaReaderFuzzTestInputs/hintArea");
        Files.createDirectories(dir);
        for (boolean referenced : new boolean[] {false, true}) {
            long pfns = 4096;
            HintAreaGeometry g = HintAreaGeometry.plan(pfns, referenced);
            MemorySegment area = MemorySegment.ofArray(new long[(int) (g.areaBytes() / 8)]);
            HintAreaWriter w = HintAreaWriter.initialize(area, g, 100, 1000);
            String name = referenced ? "published-with-referenced" : "published";
            write(dir, "initialized" + (referenced ? "-referenced" : ""), pfns, area);
            SoftSet soft = SoftSet.of(pfns, 1, 2, 3, 100, 4095);
            if (referenced) {
                w.publish(soft, SoftSet.of(pfns, 2, 100), EnumSet.of(HintFlag.FREE), 123);
            } else {
                w.publish(soft, EnumSet.of(HintFlag.FREE, HintFlag.CLEAN_CACHE), 123);
            }
            write(dir, name, pfns, area);
            w.request();
            w.startDropping();
            w.publishFinal(SoftSet.of(pfns, 1, 2, 3), Set.of(HintFlag.FREE), 456);
            write(dir, name + "-final", pfns, area);
            byte[] whole = bytes(pfns, area);
            write(dir, name + "-truncated", java.util.Arrays.copyOf(whole, 4 + 300));
        }
    }

    @Test
    void writeProfileSeeds() throws IOException {
        Path dir = RESOURCES.resolve("profile/ProfileFuzzTestInputs");
        Path json = dir.resolve("profileJson");
        Files.createDirectories(json);
        PageClass[] classes = PageClass.values();
        PageClass[] perPfn = new PageClass[64];
        for (int i = 0; i < perPfn.length; i++) {
            perPfn[i] = classes[(i / 5) % classes.length];
        }
        String text = ProfileJson.toJson(MemoryProfile.of(perPfn, "seed"));
        Files.writeString(json.resolve("profile"), text);
        Files.writeString(json.resolve("profile-truncated"), text.substring(0, text.length() / 2));
        Path pair = dir.resolve("kpagePair");
        Files.createDirectories(pair);
        // 4 frames of kpageflags (buddy, lru+uptodate, anon, slab) then 4 of kpagecount.
        long[] flags = {1L << 10, (1L << 5) | (1L << 3), (1L << 12) | (1L << 5), 1L << 7};
        long[] counts = {0, 1, 1, 1};
        byte[] b = new byte[1 + 64];
        b[0] = 4;
        for (int i = 0; i < 4; i++) {
            putLe(b, 1 + 8 * i, flags[i]);
            putLe(b, 33 + 8 * i, counts[i]);
        }
        Files.write(pair.resolve("four-frames"), b);
        Files.write(pair.resolve("uneven"), java.util.Arrays.copyOf(b, b.length - 3));
    }

    private static void write(Path dir, String name, long pfns, MemorySegment area) throws IOException {
        write(dir, name, bytes(pfns, area));
    }

    private static void write(Path dir, String name, byte[] b) throws IOException {
        Files.write(dir.resolve(name), b);
    }

    /** The input layout of the fuzz test: the expected PFN count (4 bytes, little-endian) minus one, then the area. */
    private static byte[] bytes(long pfns, MemorySegment area) {
        byte[] a = area.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        byte[] b = new byte[4 + a.length];
        putLe(b, 0, pfns - 1, 4);
        System.arraycopy(a, 0, b, 4, a.length);
        return b;
    }

    private static void putLe(byte[] b, int off, long v) {
        putLe(b, off, v, 8);
    }

    private static void putLe(byte[] b, int off, long v, int n) {
        for (int i = 0; i < n; i++) {
            b[off + i] = (byte) (v >>> (8 * i));
        }
    }
}
