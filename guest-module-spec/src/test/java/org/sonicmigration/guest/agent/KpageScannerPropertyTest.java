package org.sonicmigration.guest.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.sonicmigration.guest.profile.KpageFlag.bit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;
import org.sonicmigration.guest.SoftSet;
import org.sonicmigration.guest.profile.KpageFlag;
import org.sonicmigration.guest.profile.KpageflagsClassifier;
import org.sonicmigration.guest.profile.PageClass;

/**
 * For any frames and any read size, the agent's scan classifies each frame as the classifier does on its own
 * words, its soft set is exactly the free and clean-cache frames, and the flags-only free scan agrees with it.
 */
class KpageScannerPropertyTest {

    /** The flag words that decide classes (and some that must not matter), as the snapshots combine them. */
    private static final long[] WORDS = {
            0, bit(KpageFlag.BUDDY), bit(KpageFlag.SLAB), bit(KpageFlag.SLAB) | bit(KpageFlag.COMPOUND_TAIL),
            bit(KpageFlag.PGTABLE), bit(KpageFlag.ANON) | bit(KpageFlag.MMAP) | bit(KpageFlag.THP),
            bit(KpageFlag.LRU) | bit(KpageFlag.SWAPBACKED) | bit(KpageFlag.DIRTY),
            bit(KpageFlag.LRU) | bit(KpageFlag.UPTODATE) | bit(KpageFlag.MAPPEDTODISK),
            bit(KpageFlag.LRU) | bit(KpageFlag.DIRTY), bit(KpageFlag.LRU) | bit(KpageFlag.WRITEBACK),
            bit(KpageFlag.LRU) | bit(KpageFlag.LOCKED), bit(KpageFlag.LRU) | bit(KpageFlag.MMAP),
            bit(KpageFlag.RESERVED), bit(KpageFlag.RESERVED) | bit(KpageFlag.PRIVATE), bit(KpageFlag.COMPOUND_HEAD),
            bit(KpageFlag.NOPAGE), bit(KpageFlag.NOPAGE) | bit(KpageFlag.BUDDY), bit(KpageFlag.BUDDY) | bit(KpageFlag.REFERENCED)};

    @Test
    void scanMatchesTheClassifierFrameByFrame() {
        qt().withExamples(200).forAll(integers().between(1, 3000), integers().between(1, 700), longs().all())
                .checkAssert(KpageScannerPropertyTest::scanMatchesTheClassifierFrameByFrame);
    }

    private static void scanMatchesTheClassifierFrameByFrame(int frames, int chunk, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long[] flags = new long[frames];
        long[] counts = new long[frames];
        for (int i = 0; i < frames; i++) {
            // runs, as real memory has them, with random single frames in between
            flags[i] = i > 0 && r.nextInt(4) > 0 ? flags[i - 1] : WORDS[r.nextInt(WORDS.length)];
            counts[i] = r.nextInt(5) == 0 ? r.nextLong(3) : 0;
        }
        AgentScan scan = KpageScanner.scan(new ArrayKpageSource(chunk, counts, flags));

        assertThat(scan.profile().pfnCount()).isEqualTo(frames);
        SoftSet.Builder expectedSoft = SoftSet.builder(frames);
        SoftSet.Builder expectedFree = SoftSet.builder(frames);
        for (int i = 0; i < frames; i++) {
            PageClass c = KpageflagsClassifier.classify(flags[i], counts[i]);
            assertThat(scan.profile().classOf(i)).isEqualTo(c);
            if (c.isSoftCandidate()) {
                expectedSoft.set(i);
            }
            if (c == PageClass.FREE) {
                expectedFree.set(i);
            }
        }
        assertThat(scan.soft()).isEqualTo(expectedSoft.build());
        FreeScan free = KpageScanner.scanFree(new ArrayKpageSource(chunk, counts, flags), frames, () -> 0, Long.MAX_VALUE);
        assertThat(free.complete()).isTrue();
        assertThat(free.free()).isEqualTo(expectedFree.build());
    }

    @Test
    void filesReadInAnyChunkSizeGiveTheSameScan() {
        qt().withExamples(30).forAll(integers().between(1, 2000), integers().between(1, 300), longs().all())
                .checkAssert((frames, chunk, seed) -> {
                    try {
                        filesReadInAnyChunkSizeGiveTheSameScan(frames, chunk, seed);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }

    private static void filesReadInAnyChunkSizeGiveTheSameScan(int frames, int chunk, long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        long[] flags = new long[frames];
        long[] counts = new long[frames];
        for (int i = 0; i < frames; i++) {
            flags[i] = WORDS[r.nextInt(WORDS.length)];
            counts[i] = r.nextInt(3) == 0 ? 1 : 0;
        }
        Path dir = Files.createTempDirectory("kpage");
        try {
            Path f = write(dir.resolve("flags"), flags);
            Path c = write(dir.resolve("counts"), counts);
            AgentScan fromFiles = KpageScanner.scan(new KpageFiles(f, c, chunk));
            AgentScan fromGzip = KpageScanner.scan(new KpageFiles(KpageFilesTest.gzip(f, dir.resolve("f.gz")),
                    KpageFilesTest.gzip(c, dir.resolve("c.gz")), chunk));
            AgentScan fromArrays = KpageScanner.scan(new ArrayKpageSource(frames, counts, flags));
            assertThat(fromFiles.profile().classOrdinals()).isEqualTo(fromArrays.profile().classOrdinals());
            assertThat(fromGzip.profile().classOrdinals()).isEqualTo(fromArrays.profile().classOrdinals());
        } finally {
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    private static Path write(Path p, long[] words) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(words.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long w : words) {
            b.putLong(w);
        }
        Files.write(p, b.array());
        return p;
    }
}
