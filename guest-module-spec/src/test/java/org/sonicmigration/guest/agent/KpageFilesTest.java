package org.sonicmigration.guest.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sonicmigration.guest.profile.KpageFlag;
import org.sonicmigration.guest.profile.PageClass;

/** Reading kpage files: raw and gzip alike, and one clear line for every way they can be wrong. */
class KpageFilesTest {

    @TempDir
    Path tmp;

    @Test
    void rawAndCompressedSnapshotsScanAlike() throws IOException {
        KpageFiles gz = AgentData.files("run2", "cache");
        Path flags = gunzip(gz.kpageflags(), tmp.resolve("cache.kpageflags"));
        Path counts = gunzip(gz.kpagecount(), tmp.resolve("cache.kpagecount"));
        AgentScan raw = KpageScanner.scan(new KpageFiles(flags, counts, 4096));
        AgentScan compressed = KpageScanner.scan(gz);
        assertThat(raw.profile().classOrdinals()).isEqualTo(compressed.profile().classOrdinals());
        assertThat(raw.soft()).isEqualTo(compressed.soft());
        assertThat(raw.profile().source()).isEqualTo(flags.toString());
    }

    @Test
    void aLastChunkShorterThanTheReadSizeIsRead() throws IOException {
        long[] flags = new long[10];
        Arrays.fill(flags, KpageFlag.bit(KpageFlag.BUDDY));
        flags[9] = KpageFlag.bit(KpageFlag.SLAB);
        AgentScan s = KpageScanner.scan(new KpageFiles(write("f", flags), write("c", new long[10]), 4));
        assertThat(s.profile().pfnCount()).isEqualTo(10);
        assertThat(s.profile().pages(PageClass.FREE)).isEqualTo(9);
        assertThat(s.soft().cardinality()).isEqualTo(9);
    }

    @Test
    void filesOfDifferentLengthAreRejected() throws IOException {
        KpageFiles f = new KpageFiles(write("f", new long[9]), write("c", new long[8]), 4);
        assertThatThrownBy(() -> KpageScanner.scan(f)).isInstanceOf(AgentException.class)
                .hasMessageContaining("differ in length").hasMessageContaining("(9 vs 8 frames at least)")
                .extracting(e -> ((AgentException) e).kind()).isEqualTo(AgentException.Kind.MALFORMED);
        KpageFiles g = new KpageFiles(write("g", new long[3]), write("h", new long[5]), 4);
        assertThatThrownBy(() -> KpageScanner.scan(g)).hasMessageContaining("differ in length");
    }

    @Test
    void partialWordsEmptyFilesAndDamagedGzipAreRejected() throws IOException {
        Path odd = tmp.resolve("odd");
        Files.write(odd, new byte[12]);
        assertThatThrownBy(() -> KpageScanner.scan(new KpageFiles(odd, odd)))
                .hasMessage(odd + ": kpageflags length is not a multiple of 8 bytes");

        Path empty = tmp.resolve("empty");
        Files.write(empty, new byte[0]);
        assertThatThrownBy(() -> KpageScanner.scan(new KpageFiles(empty, empty)))
                .hasMessage(empty + ": no frames (empty file)");

        byte[] gz = Files.readAllBytes(AgentData.files("run1", "boot").kpageflags());
        Path cut = tmp.resolve("cut.gz");
        Files.write(cut, Arrays.copyOf(gz, gz.length / 2));
        assertThatThrownBy(() -> KpageScanner.scan(new KpageFiles(cut, AgentData.files("run1", "boot").kpagecount())))
                .isInstanceOf(AgentException.class).hasMessageStartingWith(cut + ": damaged or truncated gzip data");
    }

    @Test
    void missingFilesAndMissingRootAreNamedInOneLine() {
        Path missing = tmp.resolve("nope.kpageflags");
        assertThatThrownBy(() -> KpageScanner.scan(new KpageFiles(missing, missing)))
                .isInstanceOf(AgentException.class).hasMessage("no such file: " + missing);

        // the JVM maps EACCES to AccessDeniedException; tests run as root, so feed the mapping directly
        AgentException root = WordChannel.openFailure(KpageFiles.PROC_KPAGEFLAGS, new AccessDeniedException("/proc/kpageflags"));
        assertThat(root.kind()).isEqualTo(AgentException.Kind.NEEDS_ROOT);
        assertThat(root.getMessage()).isEqualTo("/proc/kpageflags is readable by root only");
        AgentException other = WordChannel.openFailure(missing, new AccessDeniedException(missing.toString()));
        assertThat(other.kind()).isEqualTo(AgentException.Kind.IO);
        assertThat(other.getMessage()).isEqualTo("permission denied: " + missing);
        AgentException noProc = WordChannel.openFailure(KpageFiles.PROC_KPAGECOUNT,
                new java.nio.file.NoSuchFileException("/proc/kpagecount"));
        assertThat(noProc.getMessage()).contains("CONFIG_PROC_PAGE_MONITOR");
    }

    @Test
    void badReadSizesAreRefused() {
        assertThatThrownBy(() -> new KpageFiles(tmp, tmp, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new KpageFiles(tmp, tmp, KpageFiles.MAX_CHUNK_WORDS + 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theRunningKernelCanBeScannedWhenReadable() {
        // root-only files: on a machine where they cannot be read there is nothing to check here
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(KpageFiles.PROC_KPAGEFLAGS));
        AgentScan s = KpageScanner.scan(KpageFiles.proc());
        long sum = s.profile().totals().values().stream().mapToLong(Long::longValue).sum();
        assertThat(sum).isEqualTo(s.profile().pfnCount());
        assertThat(s.profile().pages(PageClass.FREE)).isPositive();
        assertThat(s.soft().cardinality()).isEqualTo(s.profile().softCandidatePages());
    }

    private Path write(String name, long[] words) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(words.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long w : words) {
            b.putLong(w);
        }
        Path p = tmp.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    static Path gunzip(Path from, Path to) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(from)); OutputStream out = Files.newOutputStream(to)) {
            in.transferTo(out);
        }
        return to;
    }

    static Path gzip(Path from, Path to) throws IOException {
        try (InputStream in = Files.newInputStream(from); OutputStream out = new GZIPOutputStream(Files.newOutputStream(to))) {
            in.transferTo(out);
        }
        return to;
    }
}
